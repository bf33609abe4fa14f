"""What the machines did, carried to the operations and to each customer's timeline.

Read from the attempts the gateway recorded (never from messages alone), so a restart misses
nothing; each operation changes status once per fact, so each fact reaches the timeline once.
A started step moves the order along (making, quality check, packaging); a machine that dies
mid-job puts the order on hold until its step runs again elsewhere; a part scrapped at inspection,
or measured out of the tolerances its configuration asks for, is made again; the last step done
ships the order. A work order serving several orders (a released pre-order batch) tells each
of them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine
from c2m.domains.materials.reservations import consume, settle
from c2m.domains.orders import service as orders
from c2m.domains.orders.events import OrderEventType, StepType, step
from c2m.domains.orders.models import Order
from c2m.domains.orders.states import PRODUCTION, OrderState
from c2m.domains.planning.models import (
    ON_MACHINE,
    OPEN,
    Operation,
    OperationStatus,
    WorkOrder,
    WorkOrderLine,
)
from c2m.engines.quality import Reading, Verdict, judge, tolerances_of

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
        consume(session, op.work_order_id, op.step, now)
        _started(session, op, _machine_code(session, attempt))
    if status is AttemptStatus.DONE and op.status in (
        OperationStatus.RUNNING,
        OperationStatus.HELD,
    ):
        op.finished_at = attempt.ended_at or now
        if attempt.consumed is not None:  # the machine's word on what it used, not the bill's
            settle(session, op.work_order_id, op.step, _used(attempt.consumed))
        verdict = _judged(attempt)
        if attempt.outcome == "scrap" or (verdict is not None and not verdict.passed):
            _remake(session, op, attempt, verdict)
            return True
        op.status = OperationStatus.DONE
        _finished(session, op, attempt, _machine_code(session, attempt), verdict)
    return False


def _used(consumed: list[dict[str, Any]]) -> list[tuple[str, Decimal]]:
    """A ``done`` report's materials, each key once (the last word on it counts)."""
    return list({str(c["material"]): Decimal(str(c["quantity"])) for c in consumed}.items())


def _judged(attempt: JobAttempt) -> Verdict | None:
    """What an inspection attempt measured, judged against the dimensions its job document
    asked for; None when it asked for none, or the machine measured nothing (a machine that
    predates measurements: its ``outcome`` decides). A value in another unit than asked for
    counts as not measured."""
    job = (attempt.command or {}).get("job") or {}
    wanted = tolerances_of(job.get("inspection") or ())
    if not wanted or attempt.measurements is None:
        return None
    units = {t.name: t.unit for t in wanted}
    readings = [
        Reading(str(m["name"]), float(m["value"]), int(m.get("piece") or 1))
        for m in attempt.measurements
        if m.get("unit") in (None, units.get(str(m["name"])))
    ]
    return judge(wanted, readings, int(job.get("quantity") or 1))


def _quality(op: Operation, attempt: JobAttempt, verdict: Verdict) -> dict[str, object]:
    """The inspection as the timeline (and the units' quality records) keep it."""
    return {
        "attempt": attempt.attempt_id,
        "work_order": op.work_order_id,
        "passed": verdict.passed,
        "inspected_at": (attempt.ended_at or op.finished_at or attempt.updated_at).isoformat(),
        "pieces": [
            {
                "piece": piece.piece,
                "passed": piece.passed,
                "measurements": [
                    {
                        "name": check.tolerance.name,
                        "label": check.tolerance.label,
                        "value": check.value,
                        "nominal": check.tolerance.nominal,
                        "tolerance": check.tolerance.tolerance,
                        "unit": check.tolerance.unit,
                        "within": check.within,
                    }
                    for check in piece.checks
                ],
            }
            for piece in verdict.pieces
        ],
    }


def _machine_code(session: Session, attempt: JobAttempt) -> str:
    machine = session.get(Machine, attempt.machine_id)
    return machine.code if machine is not None else attempt.machine_id


def _orders_of(session: Session, op: Operation) -> list[Order]:
    """The orders the operation's work order makes pieces for, locked in the order of their
    ids, so two transactions telling the same orders never wait for each other in a circle."""
    served = select(WorkOrderLine.order_id).where(WorkOrderLine.work_order_id == op.work_order_id)
    query = select(Order).where(Order.id.in_(served)).order_by(Order.id).with_for_update()
    return list(session.scalars(query))


def _step(op: Operation, **extra: object) -> dict[str, object]:
    return {"operation": op.name, "step": op.step, **extra}


def _tell(session: Session, op: Operation, kind: StepType, **data: object) -> None:
    for order in _orders_of(session, op):
        orders.note(session, order, step(kind, _step(op, **data)), actor=ACTOR)


def _hold(session: Session, op: Operation, machine: str) -> None:
    data = _step(op, machine=machine, reason="the machine went down during this step")
    for order in _orders_of(session, op):
        if order.state in PRODUCTION:
            orders.hold(session, order, actor=ACTOR, data=data)
        else:
            orders.note(session, order, step(OrderEventType.MACHINE_DOWN, data), actor=ACTOR)


def _started(session: Session, op: Operation, machine: str) -> None:
    started = op.started_at.isoformat() if op.started_at else None
    ends = op.planned_end.isoformat() if op.planned_end else None
    target = STAGE.get(op.capability, OrderState.IN_PRODUCTION)
    data = _step(
        op, machine=machine, started_at=started, expected_end=ends, work_order=op.work_order_id
    )
    for order in _orders_of(session, op):
        if order.state is OrderState.ON_HOLD and order.held_from is not None:
            orders.resume(session, order, actor=ACTOR, data=_step(op, machine=machine))
        orders.advance_by_factory(session, order, target, actor=ACTOR, data=data)
        orders.note(session, order, step(OrderEventType.OPERATION_STARTED, data), actor=ACTOR)


def _finished(
    session: Session, op: Operation, attempt: JobAttempt, machine: str, verdict: Verdict | None
) -> None:
    """The step is done; its attempt is named, so the ledger can charge its machine time. An
    inspection says first, in words, what it measured."""
    finished = op.finished_at.isoformat() if op.finished_at else None
    data = _step(op, machine=machine, finished_at=finished, attempt=attempt.attempt_id)
    checked = None
    if verdict is not None:
        checked = _step(op, note=verdict.words, quality=_quality(op, attempt, verdict))
    for order in _orders_of(session, op):
        works = _works_of(order)
        if checked is not None:
            orders.note(session, order, step(OrderEventType.QUALITY_CHECKED, checked), actor=ACTOR)
        orders.production_progress(order, _share_done(session, works))
        orders.note(session, order, step(OrderEventType.OPERATION_DONE, data), actor=ACTOR)
        remaining = session.scalar(
            select(Operation.id)
            .where(Operation.work_order_id.in_(works), Operation.status.in_(OPEN))
            .limit(1)
        )
        if remaining is None and order.state in PRODUCTION and _every_line_has_work(session, order):
            for work in session.scalars(select(WorkOrder).where(WorkOrder.id.in_(works))):
                work.done = True
            orders.advance_by_factory(session, order, OrderState.SHIPPED, actor=ACTOR)


def _works_of(order: Order) -> Select[Any]:
    """The work orders making pieces for the order."""
    return select(WorkOrderLine.work_order_id).where(WorkOrderLine.order_id == order.id)


def _every_line_has_work(session: Session, order: Order) -> bool:
    """Whether every line is being made somewhere: a line routed to makers has no work order
    until a maker accepts it, and the order does not ship without it."""
    works = session.scalar(
        select(func.count()).select_from(WorkOrderLine).where(WorkOrderLine.order_id == order.id)
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


def _remake(
    session: Session, inspection: Operation, attempt: JobAttempt, verdict: Verdict | None
) -> None:
    """Scrap: the inspection and every step before it run again, under new attempts, for the
    whole work order (its units keep their serials; the next inspection is theirs)."""
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
    if verdict is None:
        data = _step(inspection, reason="the part failed inspection and is being made again")
    else:
        data = _step(
            inspection,
            reason=f"{verdict.words} — remaking",
            quality=_quality(inspection, attempt, verdict),
        )
    for order in _orders_of(session, inspection):
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
