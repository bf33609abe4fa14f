"""Stopping asyncio tasks for sure.

On Python 3.11 ``asyncio.wait_for`` swallows a cancel that arrives as the future it waits for
completes. aiomqtt waits for every publish confirmation that way, so one cancel of a loop that
publishes can be lost and the loop runs on for ever (a stopped worker that never stops). Tasks
are therefore cancelled again, with time between to clean up, until they are done.
"""

from __future__ import annotations

import asyncio
from typing import Any

AGAIN_S = 5.0
"""How long a cancelled task may clean up (say goodbye, free its leases) before it is cancelled
again; longer than any clean-up here takes, so a second cancel only meets a lost first one."""


async def cancel(*tasks: asyncio.Future[Any], again_s: float = AGAIN_S) -> None:
    """Cancel ``tasks`` and return once all are done, whatever they raised."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=again_s)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: a failure on the way out is not logged as lost
