"""The port through which the platform talks to machines, and its in-memory adapter.

Planning depends on ``Gateway`` only; the composition root picks the adapter (MQTT in a running
platform, memory in unit tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from c2m.domains.factory.service import Dispatch


class Gateway(Protocol):
    async def send(self, dispatch: Dispatch) -> None:
        """Deliver a command at least once; machines drop repeats by attempt id."""


class MemoryGateway:
    """Keeps what was sent and hands it to ``deliver`` (a twin, a test) if given."""

    def __init__(self, deliver: Callable[[Dispatch], None] | None = None) -> None:
        self.sent: list[Dispatch] = []
        self.deliver = deliver

    async def send(self, dispatch: Dispatch) -> None:
        self.sent.append(dispatch)
        if self.deliver is not None:
            self.deliver(dispatch)
