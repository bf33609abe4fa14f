"""When the machines able to make a part are free: the input of capacity-aware ship dates.

Each capable machine of the micro-enterprise's factories is free once the planner's work on it
ends (operations planned, commanded or running); a machine that is down or in maintenance
offers none until it is back (one not connected yet still counts: a shop may quote before its
machines report).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory, Machine
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.planning.models import OPEN, Operation
from c2m.domains.quoting.quotes import CAPABILITY
from c2m.engines.costing.leadtime import Capacity

UNAVAILABLE = (MachineState.DOWN, MachineState.MAINTENANCE)


def machine_capacity(session: Session, enterprise_id: str, now: datetime) -> Capacity:
    """Per process, one start time per capable machine of the micro-enterprise's factories."""
    load = (
        select(Operation.machine_id, func.max(Operation.planned_end).label("until"))
        .where(Operation.status.in_(OPEN), Operation.machine_id.is_not(None))
        .group_by(Operation.machine_id)
        .subquery()
    )
    query = (
        select(Machine.capabilities, load.c.until)
        .join(Factory, Factory.id == Machine.factory_id)
        .outerjoin(load, load.c.machine_id == Machine.id)
        .where(Factory.enterprise_id == enterprise_id, Machine.state.not_in(UNAVAILABLE))
    )
    machines = [(held, max(now, until or now)) for held, until in session.execute(query)]
    free_at = {
        process: tuple(start for held, start in machines if capability in held)
        for process, capability in CAPABILITY.items()
    }
    return Capacity({process: starts for process, starts in free_at.items() if starts})
