"""Placing operations on machines one after another, and decoding machine sequences.

Dispatching rules, the LNS compaction step and re-planning's repair all append operations to
machines the same way: after the machine's last operation plus setup, outside unavailability.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise

from c2m.engines.scheduling.model import Assignment, Instance, InstanceError, Schedule


class Timeline:
    """Where each machine is free again, and which operation it ran last (for setups)."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.free = [instance.now] * len(instance.machines)
        self.last: list[int | None] = [None] * len(instance.machines)
        self._window_ends = [[end for _, end in spans] for spans in instance.blocked]
        for a in sorted(instance.frozen, key=lambda a: a.start):
            self.free[a.machine] = max(self.free[a.machine], a.end)
            self.last[a.machine] = a.op

    def earliest(self, op: int, machine: int, ready: int) -> int:
        """Earliest start of ``op`` appended to ``machine`` no earlier than ``ready``."""
        last = self.last[machine]
        setup = 0 if last is None else self.instance.setup(last, op)
        duration = self.instance.operations[op].duration_on(machine)
        assert duration is not None
        return self.fit(machine, max(ready, self.free[machine] + setup), duration)

    def fit(self, machine: int, t: int, duration: int) -> int:
        """First start >= t at which [start, start + duration) misses every window."""
        spans = self.instance.blocked[machine]
        k = bisect_right(self._window_ends[machine], t)
        while k < len(spans) and spans[k][0] < t + duration:
            t = max(t, spans[k][1])
            k += 1
        return t

    def place(self, op: int, machine: int, start: int) -> Assignment:
        duration = self.instance.operations[op].duration_on(machine)
        assert duration is not None
        self.free[machine] = start + duration
        self.last[machine] = op
        return Assignment(op, machine, start, start + duration)


def decode(
    instance: Instance,
    sequences: Sequence[Sequence[int]],
    not_before: Sequence[int] | None = None,
) -> Schedule:
    """Semi-active schedule for given machine sequences: every operation as early as allowed.

    Frozen operations keep their place and are skipped in ``sequences``. ``not_before`` adds a
    per-operation lower bound (re-planning uses the previous plan's starts so that nothing it
    does not have to move moves).
    """
    ops = instance.operations
    frozen = instance.frozen_by_op
    machine_of: dict[int, int] = {}
    next_on_machine: dict[int, int] = {}
    waiting = [len(set(op.predecessors)) for op in ops]
    for machine, sequence in enumerate(sequences):
        movable = [i for i in sequence if i not in frozen]
        for i in movable:
            if i in machine_of:
                raise InstanceError(f"operation {i} appears in more than one machine sequence")
            machine_of[i] = machine
        for a, b in pairwise(movable):
            next_on_machine[a] = b
            waiting[b] += 1
    missing = len(ops) - len(frozen) - len(machine_of)
    if missing:
        raise InstanceError(f"{missing} operations are in no machine sequence")
    timeline = Timeline(instance)
    ready_at = [instance.earliest_start(i) for i in range(len(ops))]
    if not_before is not None:
        ready_at = [max(r, b) for r, b in zip(ready_at, not_before, strict=True)]
    result: dict[int, Assignment] = dict(frozen)
    stack = [i for i in frozen if waiting[i] == 0]
    stack += [i for i in range(len(ops)) if waiting[i] == 0 and i not in frozen]
    while stack:
        i = stack.pop()
        if i not in frozen:
            machine = machine_of[i]
            result[i] = timeline.place(i, machine, timeline.earliest(i, machine, ready_at[i]))
        done = [*instance.successors[i], *([next_on_machine[i]] if i in next_on_machine else [])]
        for s in done:
            if s in instance.successors[i]:
                ready_at[s] = max(ready_at[s], result[i].end)
            waiting[s] -= 1
            if waiting[s] == 0:
                stack.append(s)
    if len(result) != len(ops):
        raise InstanceError("the machine sequences contradict the precedence constraints")
    return Schedule(tuple(result[i] for i in range(len(ops))))


def repair(instance: Instance, previous: Schedule) -> Schedule:
    """The previous plan made feasible again, moving as little as it can: the same machine
    orders, no operation earlier than before, pushed right where it must be. Operations
    without a usable previous place (new ones, machine -1, or a machine that can no longer run
    them) join the end of the machine that would finish them first, where a promise made from
    the plan (capable to promise) counted on them."""
    ops = instance.operations
    usable = [ops[a.op].duration_on(a.machine) is not None for a in previous.assignments]
    placed = Schedule(tuple(a for a, ok in zip(previous.assignments, usable, strict=True) if ok))
    starts = [a.start for a in previous.assignments]
    new = [i for i in instance.topological_order if not usable[i]]
    sequences = placed.machine_sequences(len(instance.machines))
    for i in new:  # first on their fastest machines, to time the kept plan
        fastest = min(ops[i].modes, key=lambda m: (m.duration, m.machine))
        sequences[fastest.machine].append(i)
    kept = decode(instance, sequences, starts)
    if not new or any(usable[s] for i in new for s in instance.successors[i]):
        return kept  # kept work waits for new work: the kept plan's times depend on it
    sequences = placed.machine_sequences(len(instance.machines))
    timeline = Timeline(instance)
    for a in sorted(placed.assignments, key=lambda a: kept[a.op].end):
        timeline.free[a.machine] = max(timeline.free[a.machine], kept[a.op].end)
        timeline.last[a.machine] = a.op
    ends = [a.end for a in kept.assignments]
    for i in new:
        ready = max([instance.earliest_start(i), *(ends[p] for p in ops[i].predecessors)])
        at = {m.machine: timeline.earliest(i, m.machine, ready) for m in ops[i].modes}
        mode = min(ops[i].modes, key=lambda m: (at[m.machine] + m.duration, m.machine))
        ends[i] = timeline.place(i, mode.machine, at[mode.machine]).end
        sequences[mode.machine].append(i)
    return decode(instance, sequences, starts)


def keep_previous_starts(instance: Instance, schedule: Schedule, previous: Schedule) -> Schedule:
    """Operations that can start where the previous plan had them (same machine, later than
    now planned) without delaying a successor, the next operation on the machine or any job's
    completion and the makespan, start there: a new plan moves only what it has to."""
    frozen = instance.frozen_by_op
    after: dict[int, int] = {}
    for sequence in schedule.machine_sequences(len(instance.machines)):
        after.update(pairwise(sequence))
    result = list(schedule.assignments)
    done = [max((result[i].end for i in sinks), default=0) for sinks in instance.job_sinks]
    sinks = {i for per in instance.job_sinks for i in per}
    timeline = Timeline(instance)
    for a in sorted(schedule.assignments, key=lambda a: (-a.start, -a.end)):
        was = previous[a.op]
        if a.op in frozen or was.machine != a.machine or was.start <= a.start:
            continue
        end = was.start + a.end - a.start
        limits = [result[s].start for s in instance.successors[a.op]]
        if a.op in after:
            limits.append(result[after[a.op]].start - instance.setup(a.op, after[a.op]))
        job = instance.operations[a.op].job
        due = instance.jobs[job].due
        if a.op in sinks:
            limits.append(min(max(done[job], due or 0), schedule.makespan))
        if (
            end <= min(limits, default=end)
            and timeline.fit(a.machine, was.start, end - was.start) == was.start
        ):
            result[a.op] = Assignment(a.op, a.machine, was.start, end)
    return Schedule(tuple(result))
