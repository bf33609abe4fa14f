"""Re-planning: the plant changed, give a new feasible plan fast, moving as little as we may.

Work that started before ``now`` is frozen, except an operation cut off by a breakdown: it is
aborted and must run again in full. The previous plan is first repaired (same machine orders,
nothing earlier than before, pushed right where it must) so there is always a valid answer;
then the solver looks for better, with "operations moved" right after the primary objective.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from c2m.engines.scheduling.model import Assignment, Instance, Job, Operation, Schedule, Window
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.solver import SolveOptions, SolveResult, solve
from c2m.engines.scheduling.timeline import repair


@dataclass(frozen=True, slots=True)
class MachineDown:
    """A breakdown or maintenance: ``machine`` is unavailable during [start, start + duration)."""

    machine: int
    start: int
    duration: int


@dataclass(frozen=True, slots=True)
class MachineUp:
    """The machine came back at ``at``, earlier than its window said."""

    machine: int
    at: int


@dataclass(frozen=True, slots=True)
class Overrun:
    """A running operation will now end at ``end``."""

    op: int
    end: int


@dataclass(frozen=True, slots=True)
class RushOrder:
    """A new job; its operations' predecessors count within ``operations``."""

    job: Job
    operations: tuple[Operation, ...]


@dataclass(frozen=True, slots=True)
class Cancel:
    """A job was cancelled: its operations that have not started are dropped."""

    job: int


Event = MachineDown | MachineUp | Overrun | RushOrder | Cancel


@dataclass(frozen=True, slots=True)
class Replan:
    """The updated instance, the previous plan in its numbering, and the new plan."""

    instance: Instance
    previous: Schedule
    result: SolveResult

    @property
    def schedule(self) -> Schedule:
        return self.result.schedule

    @property
    def moved(self) -> int:
        assert self.result.metrics.moved is not None
        return self.result.metrics.moved


@dataclass(slots=True)
class _Draft:
    """The instance being edited, with the plan's assignments keyed by operation."""

    jobs: list[Job]
    operations: list[Operation]
    windows: list[Window]
    plan: dict[int, Assignment]
    frozen_ends: dict[int, int]
    aborted: set[int]


def replan(
    instance: Instance,
    plan: Schedule,
    now: int,
    event: Event,
    *,
    objective: Objective = Objective.MAKESPAN,
    time_limit: float = 1.5,
    workers: int = 2,
    seed: int = 0,
) -> Replan:
    if now < instance.now:
        raise ValueError(f"time cannot go back from {instance.now} to {now}")
    draft = _Draft(
        jobs=list(instance.jobs),
        operations=list(instance.operations),
        windows=list(instance.windows),
        plan={a.op: a for a in plan.assignments},
        frozen_ends={a.op: a.end for a in instance.frozen},
        aborted=set(),
    )
    _apply(draft, event, now)
    updated, previous = _rebuild(instance, draft, now)
    repaired = repair(updated, previous)
    # New operations have no previous place: their repaired slot is where "unmoved" means.
    reference = Schedule(
        tuple(a if a.machine >= 0 else repaired[a.op] for a in previous.assignments)
    )
    options = SolveOptions(
        objective=objective,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        reference=reference,
        hint=repaired,
    )
    return Replan(updated, reference, solve(updated, options))


def _apply(draft: _Draft, event: Event, now: int) -> None:
    if isinstance(event, MachineDown):
        if event.start < now:
            raise ValueError("a breakdown is reported at or after now")
        end = event.start + event.duration
        draft.windows.append(Window(event.machine, event.start, end))
        draft.aborted = {
            a.op
            for a in draft.plan.values()
            if a.machine == event.machine and a.start < now and a.end > event.start
        }
    elif isinstance(event, MachineUp):
        draft.windows = [
            replace(w, end=max(w.start, event.at)) if w.machine == event.machine else w
            for w in draft.windows
        ]
        draft.windows = [w for w in draft.windows if w.end > w.start]
    elif isinstance(event, Overrun):
        a = draft.plan[event.op]
        if not a.start < now:
            raise ValueError(f"operation {event.op} has not started, it cannot overrun")
        draft.frozen_ends[event.op] = event.end
    elif isinstance(event, RushOrder):
        job, first = len(draft.jobs), len(draft.operations)
        draft.jobs.append(event.job)
        for op in event.operations:
            draft.operations.append(
                replace(op, job=job, predecessors=tuple(first + p for p in op.predecessors))
            )
    else:
        for i, op in enumerate(draft.operations):
            if op.job == event.job and draft.plan[i].start >= now:
                draft.plan.pop(i)


def _rebuild(instance: Instance, draft: _Draft, now: int) -> tuple[Instance, Schedule]:
    """Renumber the surviving operations; freeze what started; map the plan over."""
    n_old = len(instance.operations)
    kept = [i for i in range(len(draft.operations)) if i >= n_old or i in draft.plan]
    number = {old: new for new, old in enumerate(kept)}
    operations = []
    for old in kept:
        op = draft.operations[old]
        missing = [p for p in op.predecessors if p not in number]
        if missing:
            raise ValueError(f"operation {old} depends on cancelled operations {missing}")
        operations.append(replace(op, predecessors=tuple(number[p] for p in op.predecessors)))
    frozen, previous = [], []
    for old in kept:
        new = number[old]
        if old >= n_old:
            previous.append(Assignment(new, -1, 0, 0))  # placeholder: no previous place
            continue
        a = replace(draft.plan[old], op=new)
        if a.start < now and old not in draft.aborted:
            a = replace(a, end=draft.frozen_ends.get(old, a.end))
            frozen.append(a)
        previous.append(a)
    updated = Instance(
        machines=instance.machines,
        jobs=tuple(draft.jobs),
        operations=tuple(operations),
        setups=instance.setups,
        windows=tuple(draft.windows),
        frozen=tuple(frozen),
        now=now,
        name=instance.name,
    )
    return updated, Schedule(tuple(previous))
