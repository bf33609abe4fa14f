"""Commands nobody acknowledged, sent again (after a reconnection, or on a timer).

Safe because a machine runs each attempt id at most once: a repeat is acknowledged, not run.
"""

from __future__ import annotations

import asyncio

from c2m.domains.factory.gateway import Gateway
from c2m.domains.factory.service import Dispatch, unanswered
from c2m.kernel.db import Database


async def resend_unanswered(db: Database, gateway: Gateway, older_than_s: float) -> int:
    """Send again every command still unacknowledged after ``older_than_s``; how many."""

    def due() -> list[Dispatch]:
        with db.read() as session:
            return unanswered(session, older_than_s)

    dispatches = await asyncio.to_thread(due)
    for dispatch in dispatches:
        await gateway.send(dispatch)
    return len(dispatches)
