"""Topics of the factory's domain events, written to the transactional outbox by the ingest in
the same transaction as the machine state they describe.

Every message names the factory, the machine and, for jobs, the attempt and its operation. The
production loop subscribes (``EventBus.add_handler("factory.", ...)`` in workers/factory.py) so
that a report wakes planning and dispatch at once; what it then does it reads from the database,
so a lost message only costs a tick. The order timeline and OEE are not fed by these messages:
planning/progress.py and factory/oee.py read the attempts and machine events the ingest wrote.
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
