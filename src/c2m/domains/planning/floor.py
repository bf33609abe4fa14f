"""The factory floor as its members see it: each machine's state and job, the plan, the OEE."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory
from c2m.domains.factory.oee import factory_oee
from c2m.domains.planning.models import ON_MACHINE, Operation, OperationStatus, Plan, WorkOrder
from c2m.domains.planning.planner import machines_of
from c2m.domains.planning.promises_kept import promises_kept
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import NotFound

OEE_WINDOW = timedelta(hours=1)
ACTUAL_WINDOW = timedelta(minutes=15)  # finished work shown next to the plan
SHOWN_PLANS = 5
SHOWN_OPERATIONS = 400


def factories_of(session: Session, actor: Actor) -> list[Factory]:
    query = select(Factory).order_by(Factory.name)
    if not actor.is_platform_owner:
        query = query.where(Factory.enterprise_id.in_(list(actor.memberships)))
    return list(session.scalars(query))


def load_factory(session: Session, actor: Actor, factory_id: str) -> Factory:
    factory = session.get(Factory, factory_id)
    if factory is None or not actor.is_member_of(factory.enterprise_id):
        raise NotFound("There is no such factory, or you are not a member of its enterprise.")
    return factory


def floor(
    session: Session, actor: Actor, factory_id: str, now: datetime, time_scale: float
) -> dict[str, Any]:
    factory = load_factory(session, actor, factory_id)
    machines = machines_of(session, factory.id)
    code = {machine.id: machine.code for machine in machines}
    shown = (*ON_MACHINE, OperationStatus.PLANNED)
    recently = now - ACTUAL_WINDOW
    rows = session.execute(
        select(Operation, WorkOrder)
        .join(WorkOrder, WorkOrder.id == Operation.work_order_id)
        .where(
            Operation.factory_id == factory.id,
            or_(
                Operation.status.in_(shown),
                (Operation.status == OperationStatus.DONE) & (Operation.finished_at >= recently),
            ),
        )
        .order_by(Operation.planned_start)
        .limit(SHOWN_OPERATIONS)
    ).all()
    doing = {op.machine_id: (op, work) for op, work in rows if op.status in ON_MACHINE}
    total, per_machine = factory_oee(session, factory.id, now - OEE_WINDOW, now, time_scale)
    plans = session.scalars(
        select(Plan)
        .where(Plan.factory_id == factory.id)
        .order_by(Plan.created_at.desc())
        .limit(SHOWN_PLANS)
    )
    return {
        "factory": {"id": factory.id, "name": factory.name, "code": factory.code},
        "now": now.isoformat(),
        "machines": [
            {
                "code": machine.code,
                "name": machine.name,
                "state": machine.state.value,
                "reason": machine.state_reason,
                "since": machine.state_since.isoformat(),
                "capabilities": machine.capabilities,
                "doing": _doing(doing.get(machine.id)),
                "oee": per_machine[machine.code].as_dict(),
            }
            for machine in machines
        ],
        "oee": total.as_dict(),
        "promises": promises_kept(session, factory.id, now).as_dict(),
        "plans": [
            {
                "at": plan.created_at.isoformat(),
                "reason": plan.reason,
                "operations": plan.operations,
                "moved": plan.moved,
                "solver": plan.solver,
                "seconds": round(plan.seconds, 3),
            }
            for plan in plans
        ],
        "operations": [
            {
                "id": op.id,
                "machine": code.get(op.machine_id or "", ""),
                "name": op.name,
                "product": work.product_name,
                "order": work.first_order_id,
                "status": op.status.value,
                "start": _iso(op.planned_start),
                "end": _iso(op.planned_end),
                "started": _iso(op.started_at),
                "finished": _iso(op.finished_at),
            }
            for op, work in rows
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _doing(found: tuple[Operation, WorkOrder] | None) -> dict[str, Any] | None:
    if found is None:
        return None
    op, work = found
    return {"operation": op.name, "product": work.product_name, "status": op.status.value}
