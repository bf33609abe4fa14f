"""Independent feasibility checker: every solver's answer passes through it before it leaves.

It deliberately shares no placement code with the solvers, so a bug there cannot hide here.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from c2m.engines.scheduling.model import Assignment, Instance, Schedule


class InfeasibleScheduleError(AssertionError):
    """A solver produced a schedule that breaks the instance's rules."""


def violations(instance: Instance, schedule: Schedule) -> list[str]:
    """Every broken rule, in words; an empty list means the schedule is feasible."""
    ops = instance.operations
    if len(schedule.assignments) != len(ops) or any(
        a.op != i for i, a in enumerate(schedule.assignments)
    ):
        return ["the schedule must hold exactly one assignment per operation, in order"]
    found: list[str] = []
    for a in schedule.assignments:
        found.extend(_operation_violations(instance, a))
    for i, op in enumerate(ops):
        for p in op.predecessors:
            if schedule[p].end > schedule[i].start:
                found.append(f"operation {i} starts at {schedule[i].start} before {p} ends")
    by_machine: dict[int, list[Assignment]] = defaultdict(list)
    for a in schedule.assignments:
        by_machine[a.machine].append(a)
    for machine, assigned in by_machine.items():
        assigned.sort(key=lambda a: (a.start, a.end))
        for before, after in pairwise(assigned):
            gap = instance.setup(before.op, after.op)
            if before.end + gap > after.start:
                found.append(
                    f"machine {machine}: operation {after.op} starts at {after.start}, "
                    f"before {before.op} ends at {before.end} plus setup {gap}"
                )
        for w in instance.windows:
            if w.machine != machine:
                continue
            found.extend(
                f"operation {a.op} runs on machine {machine} while it is unavailable "
                f"[{w.start}, {w.end})"
                for a in assigned
                if a.start < w.end and w.start < a.end
            )
    return found


def _operation_violations(instance: Instance, a: Assignment) -> list[str]:
    frozen = instance.frozen_by_op.get(a.op)
    if frozen is not None:
        return [] if frozen == a else [f"frozen operation {a.op} was moved to {a}"]
    op = instance.operations[a.op]
    duration = op.duration_on(a.machine)
    if duration is None:
        return [f"operation {a.op} is on machine {a.machine}, which cannot run it"]
    found = []
    if a.end - a.start != duration:
        found.append(f"operation {a.op} lasts {a.end - a.start}, not {duration}")
    if a.start < instance.earliest_start(a.op):
        found.append(
            f"operation {a.op} starts at {a.start}, before its release or now "
            f"({instance.earliest_start(a.op)})"
        )
    return found


def assert_feasible(instance: Instance, schedule: Schedule) -> None:
    found = violations(instance, schedule)
    if found:
        shown = "; ".join(found[:5])
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise InfeasibleScheduleError(f"infeasible schedule: {shown}{more}")
