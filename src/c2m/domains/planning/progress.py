"""What the machines did, carried to the operations and to each customer's timeline.

Read from the attempts the gateway recorded (never from messages alone), so a restart misses
nothing; each operation changes status once per fact, so each fact reaches the timeline once.
A started step moves the order along (making, quality check, packaging); a machine that dies
mid-job puts the order on hold until its step runs again elsewhere; a part scrapped at inspection
is made again; the last step done ships the order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine
from c2m.domains.orders import service as orders
from c2m.domains.orders.events import OrderEventType, StepType, step
from c2m.domains.orders.models import Order
from c2m.domains.orders.states import PRODUCTION, OrderState
from c2m.domains.planning.models import ON_MACHINE, OPEN, Operation, OperationStatus, WorkOrder

ACTOR = "factory"
#: The order state a step's start moves the order to, by the step's capability.
STAGE = {"inspect": OrderState.QUALITY_CHECK, "pack": OrderState.PACKAGING}
LOST = (AttemptStatus.FAILED, AttemptStatus.ABORTED)


def sync_attempts(session: Session, now: datetime, factory_id: str | None = None) -> set[str]:
    """Apply every attempt fact not yet applied (in ``factory_id`` only, when given); the
    factories whose plan must be redone."""
    dirty: set[str] = set()
    query = (
        select(Operation, JobAttempt)
        .join(JobAttempt, JobAttempt.attempt_id == Operation.attempt_id)
        .where(Operation.status.in_(ON_MACHINE))
    )
    if factory_id is not None:
        query = query.where(Operation.factory_id == factory_id)
    for operation, attempt in session.execute(query).all():
        if _apply(session, operation, attempt, now):
            dirty.add(operation.factory_id)
    session.flush()
    return dirty


def _apply(session: Session, op: Operation, attempt: JobAttempt, now: datetime) -> bool:
    """One attempt's news; True when the plan must be redone (work lost, held or to remake;
    a start or a finish only frees what dispatch already follows)."""
    status = attempt.status
    lease_over = attempt.lease_expires_at is not None and attempt.lease_expires_at <= now
    if status in LOST or (attempt.held and lease_over and status is not AttemptStatus.DONE):
        op.status, op.attempt_id = OperationStatus.WAITING, None
        reason = attempt.reason or "the machine was lost"
        _tell(session, op, OrderEventType.RESCHEDULED, reason=reason)
        return True
    if attempt.held and op.status is not OperationStatus.HELD and status is not AttemptStatus.DONE:
        op.status = OperationStatus.HELD
        _hold(session, op, _machine_code(session, attempt))
        return True
    if status in (AttemptStatus.STARTED, AttemptStatus.DONE) and (
        op.status is OperationStatus.DISPATCHED
    ):
        op.status, op.started_at = OperationStatus.RUNNING, attempt.started_at or now
        _started(session, op, _machine_code(session, attempt))
    if status is AttemptStatus.DONE and op.status in (
        OperationStatus.RUNNING,
        OperationStatus.HELD,
    ):
        op.finished_at = attempt.ended_at or now
        if attempt.outcome == "scrap":
            _remake(session, op)
            return True
        op.status = OperationStatus.DONE
        _finished(session, op, attempt, _machine_code(session, attempt))
    return False


def _machine_code(session: Session, attempt: JobAttempt) -> str:
    machine = session.get(Machine, attempt.machine_id)
    return machine.code if machine is not None else attempt.machine_id


def _order_of(session: Session, op: Operation) -> Order:
    work = session.get(WorkOrder, op.work_order_id)
    assert work is not None
    order = session.get(Order, work.order_id, with_for_update=True)
    assert order is not None
    return order


def _step(op: Operation, **extra: object) -> dict[str, object]:
    return {"operation": op.name, "step": op.step, **extra}


def _tell(session: Session, op: Operation, kind: StepType, **data: object) -> None:
    orders.note(session, _order_of(session, op), step(kind, _step(op, **data)), actor=ACTOR)


def _hold(session: Session, op: Operation, machine: str) -> None:
    order = _order_of(session, op)
    data = _step(op, machine=machine, reason="the machine went down during this step")
    if order.state in PRODUCTION:
        orders.hold(session, order, actor=ACTOR, data=data)
    else:
        orders.note(session, order, step(OrderEventType.MACHINE_DOWN, data), actor=ACTOR)


def _started(session: Session, op: Operation, machine: str) -> None:
    order = _order_of(session, op)
    started = op.started_at.isoformat() if op.started_at else None
    ends = op.planned_end.isoformat() if op.planned_end else None
    if order.state is OrderState.ON_HOLD and order.held_from is not None:
        orders.resume(session, order, actor=ACTOR, data=_step(op, machine=machine))
    target = STAGE.get(op.capability, OrderState.IN_PRODUCTION)
    data = _step(
        op, machine=machine, started_at=started, expected_end=ends, work_order=op.work_order_id
    )
    orders.advance_by_factory(session, order, target, actor=ACTOR, data=data)
    orders.note(session, order, step(OrderEventType.OPERATION_STARTED, data), actor=ACTOR)


def _finished(session: Session, op: Operation, attempt: JobAttempt, machine: str) -> None:
    """The step is done; its attempt is named, so the ledger can charge its machine time."""
    order = _order_of(session, op)
    finished = op.finished_at.isoformat() if op.finished_at else None
    data = _step(op, machine=machine, finished_at=finished, attempt=attempt.attempt_id)
    works = select(WorkOrder.id).where(WorkOrder.order_id == order.id)
    orders.production_progress(order, _share_done(session, works))
    orders.note(session, order, step(OrderEventType.OPERATION_DONE, data), actor=ACTOR)
    remaining = session.scalar(
        select(Operation.id)
        .where(Operation.work_order_id.in_(works), Operation.status.in_(OPEN))
        .limit(1)
    )
    if remaining is None and order.state in PRODUCTION and _every_line_has_work(session, order):
        for work in session.scalars(select(WorkOrder).where(WorkOrder.order_id == order.id)):
            work.done = True
        orders.advance_by_factory(session, order, OrderState.SHIPPED, actor=ACTOR)


def _every_line_has_work(session: Session, order: Order) -> bool:
    """Whether every line is being made somewhere: a line routed to makers has no work order
    until a maker accepts it, and the order does not ship without it."""
    works = session.scalar(
        select(func.count()).select_from(WorkOrder).where(WorkOrder.order_id == order.id)
    )
    return works == len(order.lines)


def _share_done(session: Session, works: Select[Any]) -> float:
    """The share of the order's machine minutes already done."""
    done = case((Operation.status == OperationStatus.DONE, Operation.minutes), else_=0)
    row = session.execute(
        select(func.sum(done), func.sum(Operation.minutes)).where(
            Operation.work_order_id.in_(works)
        )
    ).one()
    return (row[0] or 0) / row[1] if row[1] else 0.0


def _remake(session: Session, inspection: Operation) -> None:
    """Scrap: the inspection and every step before it run again, under new attempts."""
    steps = {
        row.step: row
        for row in session.scalars(
            select(Operation).where(Operation.work_order_id == inspection.work_order_id)
        )
    }
    again: set[str] = set()
    pending = [inspection.step]
    while pending:
        step = pending.pop()
        if step in again or step not in steps:
            continue
        again.add(step)
        pending.extend(steps[step].predecessors)
    for step in again:
        row = steps[step]
        row.status, row.attempt_id, row.started_at, row.finished_at = (
            OperationStatus.WAITING,
            None,
            None,
            None,
        )
        row.remakes += 1
    order = _order_of(session, inspection)
    data = _step(inspection, reason="the part failed inspection and is being made again")
    orders.remake(session, order, actor=ACTOR, data=data)


def deliver_shipped(session: Session, shipped_before: datetime) -> int:
    """A stand-in carrier (the demo's): orders shipped before the cutoff are delivered."""
    query = select(Order).where(
        Order.state == OrderState.SHIPPED, Order.updated_at <= shipped_before
    )
    shipped = list(session.scalars(query.with_for_update(skip_locked=True)))
    for order in shipped:
        orders.advance_by_factory(session, order, OrderState.DELIVERED, actor="carrier")
    session.flush()
    return len(shipped)
