"""A factory's open work as a scheduling instance, and the solver's answer written back.

Times are whole seconds of wall clock from ``origin`` (the moment of the snapshot). Work already
on a machine is frozen where it is; a machine that is down, in maintenance or offline takes no
new work; an operation held by a dead machine keeps its work order out of the plan until the
attempt is known lost. The previous plan is the reference: moving an operation costs, so a
re-plan after a breakdown leaves unaffected work where it was when the objective allows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Machine
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.materials.reservations import waiting
from c2m.domains.orders import service as orders
from c2m.domains.orders.models import Order
from c2m.domains.orders.promises import day_end, promises
from c2m.domains.orders.states import OrderState
from c2m.domains.planning.calendar import off_windows
from c2m.domains.planning.models import (
    ON_MACHINE,
    OPEN,
    Operation,
    OperationStatus,
    Plan,
    WorkOrder,
    WorkOrderLine,
)
from c2m.engines.scheduling.model import Assignment, Instance, Job, Mode, Schedule, Window
from c2m.engines.scheduling.model import Operation as EngineOperation
from c2m.engines.scheduling.solver import SolveResult

AVAILABLE = (MachineState.IDLE, MachineState.SETUP, MachineState.RUNNING)
RUSH_WEIGHT = 10
MOVED_S = 60  # an operation whose start moves less than this has not really moved


@dataclass(frozen=True)
class Snapshot:
    """The instance to solve, and how its indices map back to rows."""

    factory_id: str
    origin: datetime
    instance: Instance
    operation_ids: tuple[str, ...]
    machine_ids: tuple[str, ...]
    reference: Schedule | None


def seconds(minutes: int, speed: float, time_scale: float) -> int:
    """Wall seconds an operation of ``minutes`` takes on a machine of ``speed``."""
    return max(1, math.ceil(minutes * 60 / speed / time_scale))


def machines_of(session: Session, factory_id: str) -> list[Machine]:
    query = select(Machine).where(Machine.factory_id == factory_id).order_by(Machine.code)
    return list(session.scalars(query))


def snapshot(
    session: Session, factory_id: str, now: datetime, time_scale: float
) -> Snapshot | None:
    """The factory's plannable work now, or None when there is nothing to plan."""
    machines = list(
        session.scalars(
            select(Machine).where(Machine.factory_id == factory_id).order_by(Machine.code)
        )
    )
    index = {machine.id: i for i, machine in enumerate(machines)}
    rows = list(
        session.scalars(
            select(Operation)
            .where(Operation.factory_id == factory_id, Operation.status.in_(OPEN))
            .order_by(Operation.work_order_id, Operation.id)
        )
    )
    blocked = {row.work_order_id for row in rows if row.status is OperationStatus.HELD}
    by_work: dict[str, list[Operation]] = defaultdict(list)
    for row in rows:
        if row.work_order_id not in blocked:
            by_work[row.work_order_id].append(row)
    works = {
        work.id: work
        for work in session.scalars(select(WorkOrder).where(WorkOrder.id.in_(list(by_work))))
    }
    due = _due_seconds(session, list(by_work), now)
    ready = _material_seconds(session, list(by_work), now)
    jobs: list[Job] = []
    operations: list[EngineOperation] = []
    ids: list[str] = []
    frozen: list[Assignment] = []
    reference: list[Assignment] = []
    for work_id, steps in by_work.items():
        early = any(_material_early(row, ready, now) for row in steps)
        modes_of = {row.id: _modes(row, machines, index, time_scale) for row in steps}
        if any(not modes for row_id, modes in modes_of.items()):
            continue  # no machine can take a step now: the work order waits for one
        job = len(jobs)
        work = works[work_id]
        # A rush is due now: under the lexicographic objective its weighted lateness is its
        # completion time, so it goes first; other work is due when its orders were promised.
        if work.rush:
            jobs.append(Job(work.product_name, due=0, weight=RUSH_WEIGHT))
        else:
            jobs.append(Job(work.product_name, due=due.get(work_id), weight=1))
        position = {row.step: len(ids) + i for i, row in enumerate(steps)}
        for row in steps:
            op = len(ids)
            ids.append(row.id)
            predecessors = tuple(position[p] for p in row.predecessors if p in position)
            # A step short of material starts when the last of its own can be there.
            release = ready.get((work_id, row.step), 0)
            operations.append(
                EngineOperation(
                    job, modes_of[row.id], predecessors, row.capability, row.name, release
                )
            )
            placed = _placed(row, index, now)
            if row.status in ON_MACHINE and placed is not None:
                machine, start, end = placed
                start = min(start, 0)  # frozen work has started (or been commanded) by now
                frozen.append(Assignment(op, machine, start, max(end, start + 1, 1)))
            elif placed is not None and not early:  # else planned afresh, as new work is
                reference.append(Assignment(op, *placed))
    if not operations:
        return None
    instance = Instance(
        machines=tuple(machine.code for machine in machines),
        jobs=tuple(jobs),
        operations=tuple(operations),
        windows=_windows(machines, frozen, now),
        frozen=tuple(frozen),
        now=0,
        name=factory_id,
    )
    instance = _reachable_dues(instance)
    previous = _reference(instance, reference)
    return Snapshot(factory_id, now, instance, tuple(ids), tuple(m.id for m in machines), previous)


def _due_seconds(session: Session, work_ids: list[str], now: datetime) -> dict[str, int]:
    """Each work order's due time in seconds from ``now``: the end of the earliest ship date
    promised to the orders it makes (a batch serves several); 0 when that has passed."""
    made = session.execute(
        select(WorkOrderLine.work_order_id, WorkOrderLine.order_id).where(
            WorkOrderLine.work_order_id.in_(work_ids)
        )
    ).all()
    promised = promises(session, {order_id for _, order_id in made})
    ends: dict[str, datetime] = {}
    for work_id, order_id in made:
        day = promised.get(order_id)
        if day is not None:
            end = day_end(day)
            ends[work_id] = min(end, ends.get(work_id, end))
    return {work_id: max(0, int((end - now).total_seconds())) for work_id, end in ends.items()}


def _material_seconds(
    session: Session, work_ids: list[str], now: datetime
) -> dict[tuple[str, str], int]:
    """Seconds from ``now`` until each step's reserved materials can all be there (on lots on
    their way or not yet ordered), by work order and step; steps with all of it on hand are
    left out."""
    ready: dict[tuple[str, str], int] = {}
    for work_id, waits in waiting(session, work_ids, now).items():
        for wait in waits:
            seconds = int((wait.ready - now).total_seconds())
            ready[work_id, wait.step] = max(seconds, ready.get((work_id, wait.step), 0))
    return ready


def _material_early(row: Operation, ready: dict[tuple[str, str], int], now: datetime) -> bool:
    """Whether the step's material can be there over a minute before the last plan expected
    it (a delivery came early): the plan held its work order back for nothing."""
    if row.material_ready is None:
        return False
    can = now + timedelta(seconds=ready.get((row.work_order_id, row.step), 0))
    return can < row.material_ready - timedelta(minutes=1)


def _reachable_dues(instance: Instance) -> Instance:
    """The instance without the due dates no schedule can miss (at or past the horizon, where
    every solver bounds completion): they cost nothing and would only enlarge the model."""
    horizon = instance.horizon
    if all(job.due is None or job.due < horizon for job in instance.jobs):
        return instance
    jobs = tuple(
        job if job.due is None or job.due < horizon else replace(job, due=None)
        for job in instance.jobs
    )
    return replace(instance, jobs=jobs)


def _windows(
    machines: list[Machine], frozen: list[Assignment], now: datetime
) -> tuple[Window, ...]:
    """Off-shift times of each machine's calendar; work already on a machine finishes first."""
    busy_until: dict[int, int] = {}
    for a in frozen:
        busy_until[a.machine] = max(busy_until.get(a.machine, 0), a.end)
    out = []
    for index, machine in enumerate(machines):
        for start, end in off_windows(machine.calendar, now):
            start = max(start, busy_until.get(index, 0))
            if end > start:
                out.append(Window(index, start, end))
    return tuple(out)


def _modes(
    row: Operation, machines: list[Machine], index: dict[str, int], time_scale: float
) -> tuple[Mode, ...]:
    if row.status in ON_MACHINE and row.machine_id in index:
        machine = machines[index[row.machine_id]]
        return (Mode(index[machine.id], seconds(row.minutes, machine.speed, time_scale)),)
    return tuple(
        Mode(i, seconds(row.minutes, machine.speed, time_scale))
        for i, machine in enumerate(machines)
        if row.capability in machine.capabilities and machine.state in AVAILABLE
    )


def _placed(row: Operation, index: dict[str, int], now: datetime) -> tuple[int, int, int] | None:
    if row.machine_id not in index or row.planned_start is None or row.planned_end is None:
        return None
    start = row.started_at or row.planned_start
    return (
        index[row.machine_id],
        round((start - now).total_seconds()),
        round((row.planned_end - now).total_seconds()),
    )


def _reference(instance: Instance, planned: list[Assignment]) -> Schedule | None:
    """The previous plan, if there is one: operations it did not place (new work, or work on a
    machine that can no longer take it) are marked as having no place (machine -1), so the
    solver's repair puts them where a promise made from the plan counted on them."""
    if not planned:
        return None
    known = {a.op: a for a in [*planned, *instance.frozen]}
    return Schedule(
        tuple(known.get(op, Assignment(op, -1, 0, 0)) for op in range(len(instance.operations)))
    )


def apply(
    session: Session,
    snap: Snapshot,
    result: SolveResult,
    reason: str,
    now: datetime,
    epoch: int | None = None,
) -> Plan:
    """Write machines and times; orders whose first work got planned move to ``planned``. The
    plan row carries the planner lease ``epoch``: the database refuses the whole write if it is
    stale."""
    moved = 0
    ends: dict[str, datetime] = {}
    for assignment in result.schedule.assignments:
        row = session.get(Operation, snap.operation_ids[assignment.op])
        assert row is not None
        start = snap.origin + timedelta(seconds=assignment.start)
        end = snap.origin + timedelta(seconds=assignment.end)
        work = row.work_order_id
        ends[work] = max(ends.get(work, end), end)
        if row.status in ON_MACHINE:
            continue
        machine = snap.machine_ids[assignment.machine]
        if row.machine_id is not None and (
            row.machine_id != machine
            or row.planned_start is None
            or abs((row.planned_start - start).total_seconds()) >= MOVED_S
        ):
            moved += 1
        row.machine_id, row.planned_start, row.planned_end = machine, start, end
        release = snap.instance.operations[assignment.op].release
        row.material_ready = snap.origin + timedelta(seconds=release) if release else None
        if row.status is OperationStatus.WAITING:
            row.status = OperationStatus.PLANNED
    _announce(session, ends)
    plan = Plan(
        factory_id=snap.factory_id,
        created_at=now,
        reason=reason[:200],
        operations=len(snap.operation_ids),
        moved=moved,
        ends_at=max(ends.values(), default=None),
        solver=result.solver,
        seconds=result.elapsed,
        epoch=epoch,
    )
    session.add(plan)
    session.flush()
    return plan


def _announce(session: Session, ends: dict[str, datetime]) -> None:
    """Paid orders now in the plan: ``planned``, with when their last step should end."""
    served = session.execute(
        select(WorkOrderLine.order_id, WorkOrderLine.work_order_id).where(
            WorkOrderLine.work_order_id.in_(list(ends))
        )
    )
    ready: dict[str, datetime] = {}
    for order_id, work_id in served:
        ready[order_id] = max(ready.get(order_id, ends[work_id]), ends[work_id])
    for order_id, at in sorted(ready.items()):
        order = session.get(Order, order_id, with_for_update=True)
        if order is not None and order.state is OrderState.PAID:
            data = {"ready_at": at.isoformat()}
            orders.advance_by_factory(
                session, order, OrderState.PLANNED, actor="planner", data=data
            )
