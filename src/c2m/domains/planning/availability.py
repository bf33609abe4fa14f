"""The machines that can take new work, and from when: what a quote's ship dates and a configured
product's promise are worked out from, as the planner would plan it. A machine is free once the
planner's work on it ends (operations planned, commanded or running) and works only in its
calendar's shifts; one not connected (offline), down or in maintenance takes none, since the
planner would give it none either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory, Machine
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.planning.calendar import off_windows
from c2m.domains.planning.models import OPEN, Operation
from c2m.engines.costing.leadtime import MachineTime

UNAVAILABLE = (MachineState.OFFLINE, MachineState.DOWN, MachineState.MAINTENANCE)
#: How far ahead shifts are read: a promise reaches further than a plan (the planner's 14 days).
SHIFTS_AHEAD = timedelta(days=120)


@dataclass(frozen=True)
class Available:
    capabilities: frozenset[str]
    time: MachineTime


def available_machines(
    session: Session,
    now: datetime,
    *,
    enterprise_id: str | None = None,
    factory_id: str | None = None,
) -> list[Available]:
    """The micro-enterprise's machines (or one factory's) that can take work, and when."""
    load = (
        select(Operation.machine_id, func.max(Operation.planned_end).label("until"))
        .where(Operation.status.in_(OPEN), Operation.machine_id.is_not(None))
        .group_by(Operation.machine_id)
        .subquery()
    )
    query = (
        select(Machine.capabilities, Machine.calendar, Machine.speed, load.c.until)
        .join(Factory, Factory.id == Machine.factory_id)
        .outerjoin(load, load.c.machine_id == Machine.id)
        .where(Machine.state.not_in(UNAVAILABLE))
    )
    if enterprise_id is not None:
        query = query.where(Factory.enterprise_id == enterprise_id)
    if factory_id is not None:
        query = query.where(Factory.id == factory_id)
    return [
        Available(
            frozenset(capabilities),
            MachineTime(max(now, until or now), _off(calendar, now), speed or 1.0),
        )
        for capabilities, calendar, speed, until in session.execute(query)
    ]


def _off(calendar: dict[str, Any] | None, now: datetime) -> tuple[tuple[datetime, datetime], ...]:
    return tuple(
        (now + timedelta(seconds=start), now + timedelta(seconds=end))
        for start, end in off_windows(calendar, now, SHIFTS_AHEAD)
    )
