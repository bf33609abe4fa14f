"""When the machines able to make a part are free: the input of capacity-aware ship dates (see
``planning.availability``: connected machines, after their planned work, in their shifts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from c2m.domains.planning.availability import available_machines
from c2m.domains.quoting.quotes import CAPABILITY
from c2m.engines.costing.leadtime import Capacity


def machine_capacity(session: Session, enterprise_id: str, now: datetime) -> Capacity:
    """Per process, each capable machine of the micro-enterprise's factories."""
    machines = available_machines(session, now, enterprise_id=enterprise_id)
    able = {
        process: tuple(m.time for m in machines if capability in m.capabilities)
        for process, capability in CAPABILITY.items()
    }
    return Capacity({process: times for process, times in able.items() if times})
