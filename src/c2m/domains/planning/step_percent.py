"""How far an order's running steps are, as their machines last reported (``job/.../progress``),
for the customer's step list; a machine that reports no percentage shows none."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import JobAttempt
from c2m.domains.planning.models import Operation, OperationStatus, WorkOrderLine


def running_percent(session: Session, order_id: str) -> dict[str, int]:
    """Per step key of ``order_id``'s running operations, the percentage done (the furthest,
    when several lines share the step)."""
    query = (
        select(Operation.step, JobAttempt.percent)
        .join(WorkOrderLine, WorkOrderLine.work_order_id == Operation.work_order_id)
        .join(JobAttempt, JobAttempt.attempt_id == Operation.attempt_id)
        .where(WorkOrderLine.order_id == order_id, Operation.status == OperationStatus.RUNNING)
    )
    found: dict[str, int] = {}
    for step, percent in session.execute(query):
        found[step] = max(percent, found.get(step, 0))
    return found
