"""A unit's footprint: the energy its work order's machines drew while they worked on it, from
their telemetry's power readings, shared equally among the work order's pieces, and the
greenhouse gas that energy stands for at the grid's emission factor.

Every attempt that ran counts (a remade part's first making too: its energy was spent), each
over its own window on its own machine. Without readings for one of the windows the footprint
was not measured (None), never estimated. Telemetry is deleted after
``C2M_RETAIN_TELEMETRY_DAYS``, so the units' energy is kept when their order ships.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from c2m.domains.factory.models import AttemptStatus, JobAttempt, TelemetrySample
from c2m.domains.orders.events import OrderEventType
from c2m.domains.planning.models import Operation, WorkOrder, WorkOrderLine
from c2m.domains.traceability.models import Unit
from c2m.domains.traceability.serials import make_units
from c2m.engines.footprint import Reading, energy_kwh
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database

log = logging.getLogger(__name__)
RAN = (AttemptStatus.DONE, AttemptStatus.FAILED)
"""Attempts that ran on a machine until they ended (an aborted one's end is only when the
platform heard of it)."""
EDGE = timedelta(minutes=15)
"""How far beyond a window readings are read, to place its edges between two readings."""


def work_order_energy_kwh(session: Session, work_order_id: str) -> float | None:
    """kWh per piece of the work order; None when nothing ran yet or a window has no readings."""
    work = session.get(WorkOrder, work_order_id)
    if work is None:
        return None
    operations = select(Operation.id).where(Operation.work_order_id == work_order_id)
    attempts = session.scalars(
        select(JobAttempt).where(
            JobAttempt.operation_id.in_(operations),
            JobAttempt.status.in_(RAN),
            JobAttempt.started_at.is_not(None),
            JobAttempt.ended_at.is_not(None),
        )
    ).all()
    if not attempts:
        return None
    total = 0.0
    for attempt in attempts:
        assert attempt.started_at is not None
        assert attempt.ended_at is not None
        drawn = _window_kwh(session, attempt.machine_id, attempt.started_at, attempt.ended_at)
        if drawn is None:
            return None
        total += drawn
    return total / work.quantity


def _window_kwh(session: Session, machine_id: str, start: datetime, end: datetime) -> float | None:
    rows = session.execute(
        select(TelemetrySample.at, TelemetrySample.power_kw)
        .where(
            TelemetrySample.machine_id == machine_id,
            TelemetrySample.at >= start - EDGE,
            TelemetrySample.at <= end + EDGE,
            TelemetrySample.power_kw.is_not(None),
        )
        .order_by(TelemetrySample.at)
    ).all()
    readings = [Reading(at.timestamp(), kw) for at, kw in rows if kw is not None]
    return energy_kwh(readings, start.timestamp(), max(start, end).timestamp())


def unit_energy_kwh(session: Session, unit: Unit) -> float | None:
    """The unit's energy: as kept when its order shipped, or from the telemetry until then."""
    if unit.footprint_at is not None:
        return unit.energy_kwh
    return work_order_energy_kwh(session, unit.work_order_id)


def keep_footprints(session: Session, order_id: str) -> int:
    """Keep the energy of every unit of the order (once); how many units got theirs."""
    kept = 0
    now = utcnow()
    works = select(WorkOrderLine.work_order_id).where(WorkOrderLine.order_id == order_id)
    for work in session.scalars(select(WorkOrder).where(WorkOrder.id.in_(works))):
        made = make_units(session, work.id, now)  # a batch's work order makes others' units too
        units = [u for u in made if u.order_id == order_id and u.footprint_at is None]
        if not units:
            continue
        energy = work_order_energy_kwh(session, work.id)
        for unit in units:
            unit.energy_kwh, unit.footprint_at = energy, now
        kept += len(units)
    session.flush()
    return kept


class UnitFootprints:
    """An event-bus handler (``orders.`` topics): a shipped order's units keep their energy."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __call__(self, _topic: str, message: dict[str, Any]) -> None:
        if message.get("type") != OrderEventType.SHIPPED or not message.get("order_id"):
            return
        try:
            with self.db.write() as session:
                keep_footprints(session, str(message["order_id"]))
        except IntegrityError:
            log.debug("units of order %s were made by another process", message["order_id"])
