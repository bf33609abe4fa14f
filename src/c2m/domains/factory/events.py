"""Topics of the factory's domain events, as published through the transactional outbox.

Planning, the order timeline and OEE subscribe to these (``EventBus.add_handler("factory.", ...)``);
every message names the factory, the machine and, for jobs, the attempt and its operation.
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "factory."
MACHINE_STATE: Final = "factory.machine.state"
MACHINE_BORN: Final = "factory.machine.born"
MACHINE_DIED: Final = "factory.machine.died"
"""``in_flight``: attempts the machine held when it died; they are ``held`` until known aborted
(the next birth lists them) or their lease expires."""
TELEMETRY_GAP: Final = "factory.telemetry.gap"


def job_topic(status: str) -> str:
    """``factory.job.<status>``: accepted, started, progress, done, failed or aborted."""
    return f"{PREFIX}job.{status}"
