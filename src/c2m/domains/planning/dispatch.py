"""Which planned operations go to their machines now, each under a fresh attempt id.

A machine gets one operation at a time: the earliest planned one whose predecessors are done,
once it is free and up. Commands are recorded in the caller's transaction and sent after it
commits, so the bus never carries an attempt the database does not know.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Machine
from c2m.domains.factory.service import Dispatch, issue_command
from c2m.domains.materials.reservations import release
from c2m.domains.orders.models import Order
from c2m.domains.orders.states import OrderState
from c2m.domains.planning.jobs import JobWriter
from c2m.domains.planning.models import ON_MACHINE, Operation, OperationStatus, WorkOrderLine
from c2m.domains.planning.planner import AVAILABLE, seconds
from c2m.kernel.clock import utcnow

LEASE_FACTOR = 3  # an attempt's lease: three times its expected duration, plus the margin
WITHDRAWN = (OrderState.CANCELLED, OrderState.REFUNDED)


def due_dispatches(
    session: Session,
    factory_id: str,
    time_scale: float,
    lease_margin_s: float,
    epoch: int | None = None,
    jobs: JobWriter | None = None,
) -> list[Dispatch]:
    """Commands for the factory's free machines, recorded under the planner lease ``epoch``
    (the database refuses them if it is stale), each with its job document when ``jobs``
    writes them."""
    busy = set(
        session.scalars(
            select(Operation.machine_id).where(
                Operation.factory_id == factory_id, Operation.status.in_(ON_MACHINE)
            )
        )
    )
    planned = session.scalars(
        select(Operation)
        .where(Operation.factory_id == factory_id, Operation.status == OperationStatus.PLANNED)
        .order_by(Operation.planned_start, Operation.id)
    )
    done = _done_steps(session, factory_id)
    now = utcnow()
    out: list[Dispatch] = []
    for op in planned:
        if op.machine_id is None or op.machine_id in busy:
            continue
        if op.material_ready is not None and op.material_ready > now:
            continue  # a free machine may run ahead of the plan, but not ahead of the material
        if not all((op.work_order_id, step) in done for step in op.predecessors):
            continue
        machine = session.get(Machine, op.machine_id)
        if machine is None or machine.state not in AVAILABLE:
            continue
        expected = seconds(op.minutes, machine.speed, time_scale)
        nominal_s = op.minutes * 60
        dispatch = issue_command(
            session,
            machine.id,
            op.id,
            nominal_s=nominal_s,
            lease_s=expected * LEASE_FACTOR + lease_margin_s,
            family=op.capability,
            capability=op.capability,
            epoch=epoch,
            job=None if jobs is None else partial(jobs.write, session, op, nominal_s),
        )
        op.status, op.attempt_id = OperationStatus.DISPATCHED, dispatch.command.attempt_id
        op.attempts += 1
        busy.add(machine.id)
        out.append(dispatch)
    session.flush()
    return out


def _done_steps(session: Session, factory_id: str) -> set[tuple[str, str]]:
    rows = session.execute(
        select(Operation.work_order_id, Operation.step).where(
            Operation.factory_id == factory_id, Operation.status == OperationStatus.DONE
        )
    )
    return {(work, step) for work, step in rows}


def withdraw_cancelled(session: Session, factory_id: str | None = None) -> set[str]:
    """Operations no machine holds of work orders whose every order was cancelled or refunded
    are dropped (in ``factory_id`` only, when given); a batch's work order goes on while one of
    its pre-orders still wants its piece."""
    wanted = exists().where(
        WorkOrderLine.work_order_id == Operation.work_order_id,
        WorkOrderLine.order_id == Order.id,
        Order.state.not_in(WITHDRAWN),
    )
    query = select(Operation).where(
        ~wanted, Operation.status.in_((OperationStatus.WAITING, OperationStatus.PLANNED))
    )
    if factory_id is not None:
        query = query.where(Operation.factory_id == factory_id)
    rows = list(session.scalars(query))
    for row in rows:
        row.status = OperationStatus.CANCELLED
        release(session, row.work_order_id, row.step, utcnow())
    session.flush()
    return {row.factory_id for row in rows}


def factories_with_work(session: Session) -> list[str]:
    query = select(Operation.factory_id).where(Operation.status == OperationStatus.PLANNED)
    return sorted(set(session.scalars(query.distinct())))
