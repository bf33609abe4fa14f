"""The jobs in a maker's workshop as the maker follows them: each part they took, where it
stands in words (waiting for the plan, planned on a printer, printing with the printer's last
percentage, held, done), on which machine and when; open jobs first, then recent ones."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import JobAttempt, Machine
from c2m.domains.makers import service
from c2m.domains.makers.models import RoutedJob
from c2m.domains.planning.models import OPEN, Operation, OperationStatus, WorkOrder
from c2m.domains.platform.actor import Actor

RECENT = 20
S = OperationStatus


class WorkshopJob(BaseModel):
    """One step of a part the workshop makes (a part with several machine steps has several)."""

    work_order_id: str
    title: str
    step: str
    state: str  # the operation's status
    state_in_words: str
    percent: int | None
    machine_code: str | None
    planned_start: datetime | None
    planned_end: datetime | None
    finished_at: datetime | None


def my_jobs(session: Session, actor: Actor) -> list[WorkshopJob]:
    """The maker's jobs: open ones first (soonest planned first), then the latest done."""
    profile = service.mine(session, actor)
    done_last = case((Operation.status.in_(OPEN), 0), else_=1)
    rows = session.execute(
        select(Operation, WorkOrder, RoutedJob.title, Machine.code, JobAttempt.percent)
        .join(WorkOrder, WorkOrder.id == Operation.work_order_id)
        .outerjoin(RoutedJob, RoutedJob.line_id == WorkOrder.line_id)
        .outerjoin(Machine, Machine.id == Operation.machine_id)
        .outerjoin(JobAttempt, JobAttempt.attempt_id == Operation.attempt_id)
        .where(WorkOrder.factory_id == profile.factory_id)
        .order_by(done_last, Operation.planned_start, WorkOrder.created_at.desc(), Operation.id)
    ).all()
    open_ = [row for row in rows if row[0].status in OPEN]
    closed = [row for row in rows if row[0].status not in OPEN][:RECENT]
    return [
        _job(op, work, title, code, percent) for op, work, title, code, percent in open_ + closed
    ]


def _job(
    op: Operation, work: WorkOrder, title: str | None, code: str | None, percent: int | None
) -> WorkshopJob:
    running = op.status is S.RUNNING
    return WorkshopJob(
        work_order_id=work.id,
        title=title or f"{work.product_name}, {work.quantity} pcs",
        step=op.name,
        state=op.status.value,
        state_in_words=_words(op, code, percent if running else None),
        percent=percent if running else None,
        machine_code=code,
        planned_start=op.planned_start,
        planned_end=op.planned_end,
        finished_at=op.finished_at,
    )


def _words(op: Operation, code: str | None, percent: int | None) -> str:
    on = f" on {code}" if code else ""
    if op.status is S.WAITING:
        return "Waiting to be planned on one of your machines"
    if op.status is S.PLANNED and op.planned_start is not None:
        return f"Planned{on} from {op.planned_start:%a %d %b %H:%M} UTC"
    if op.status is S.DISPATCHED:
        return f"Sent{on}; waiting for it to start"
    if op.status is S.RUNNING:
        doing = "Printing" if op.capability.endswith("-print") else "Making"
        return f"{doing}{on}" + (f", {percent} % done" if percent is not None else "")
    if op.status is S.HELD:
        return f"On hold: {code or 'the machine'} went down during the job"
    if op.status is S.DONE and op.finished_at is not None:
        return f"Done {op.finished_at:%a %d %b %H:%M} UTC"
    return op.status.value.replace("_", " ").capitalize()
