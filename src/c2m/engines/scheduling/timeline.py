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
