"""Objectives and how a schedule scores on them: one definition shared by every solver."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from c2m.engines.scheduling.model import Instance, Schedule


class Objective(StrEnum):
    """What to minimise. ``lex`` is weighted tardiness first, makespan second."""

    MAKESPAN = "makespan"
    TARDINESS = "tardiness"
    LEX = "lex"


@dataclass(frozen=True, slots=True)
class Metrics:
    """Scores of one schedule; ``moved`` only when compared with a previous plan."""

    makespan: int
    weighted_tardiness: int
    moved: int | None = None

    def key(self, objective: Objective) -> tuple[int, ...]:
        """Lexicographic key to minimise. Stability (operations moved) comes right after the
        primary level: after a breakdown the floor would rather keep its plan than gain some
        makespan, the lexicographic objective's tie-breaker."""
        levels = {
            Objective.MAKESPAN: (self.makespan,),
            Objective.TARDINESS: (self.weighted_tardiness,),
            Objective.LEX: (self.weighted_tardiness, self.makespan),
        }[objective]
        return levels if self.moved is None else (levels[0], self.moved, *levels[1:])

    def primary(self, objective: Objective) -> int:
        return self.key(objective)[0]


def job_completion(instance: Instance, schedule: Schedule, job: int) -> int | None:
    sinks = instance.job_sinks[job]
    return max(schedule[i].end for i in sinks) if sinks else None


def weighted_tardiness(instance: Instance, schedule: Schedule) -> int:
    total = 0
    for j, job in enumerate(instance.jobs):
        done = job_completion(instance, schedule, j)
        if job.due is not None and done is not None:
            total += job.weight * max(0, done - job.due)
    return total


def moved(instance: Instance, schedule: Schedule, reference: Schedule) -> int:
    """Operations whose machine or start differs from the previous plan (frozen ones excluded)."""
    frozen = instance.frozen_by_op
    return sum(
        1
        for a, b in zip(schedule.assignments, reference.assignments, strict=True)
        if a.op not in frozen and (a.machine, a.start) != (b.machine, b.start)
    )


def evaluate(instance: Instance, schedule: Schedule, reference: Schedule | None = None) -> Metrics:
    return Metrics(
        makespan=schedule.makespan,
        weighted_tardiness=weighted_tardiness(instance, schedule),
        moved=None if reference is None else moved(instance, schedule, reference),
    )


def makespan_lower_bound(instance: Instance) -> int:
    """Cheap bound: the longest job chain, and the busiest machine's mandatory work."""
    frozen = instance.frozen_by_op
    chain = 0
    for i, op in enumerate(instance.operations):
        start = frozen[i].end - op.min_duration if i in frozen else instance.earliest_start(i)
        chain = max(chain, start + instance.tails[i])
    first = max(instance.now, min((j.release for j in instance.jobs), default=0))
    free_at = [first] * len(instance.machines)
    for a in instance.frozen:
        free_at[a.machine] = max(free_at[a.machine], a.end)
    for i, op in enumerate(instance.operations):
        if len(op.modes) == 1 and i not in frozen:
            free_at[op.modes[0].machine] += op.modes[0].duration
    return max(chain, *free_at)
