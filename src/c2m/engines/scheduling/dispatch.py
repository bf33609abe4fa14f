"""Dispatching rules: a feasible schedule in one pass, even for 100,000 operations.

A non-delay simulation: whenever a machine can start something, it takes the waiting
operation the rule likes best; the operation then goes to whichever eligible machine finishes
it first. Priorities are fixed when an operation becomes ready, so each step is a heap pop;
except the apparent tardiness cost, whose urgency grows while an operation waits: it is
weighed afresh at each decision over the machine's queue.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from enum import StrEnum

from c2m.engines.scheduling.model import Assignment, Instance, Schedule
from c2m.engines.scheduling.timeline import Timeline

ATC_LOOKAHEAD = 2.0  # the usual k in the apparent-tardiness-cost index
# k values worth trying: the best one grows with how overloaded the plant is
ATC_LOOKAHEADS = (2.0, 4.0, 8.0, 16.0, 32.0)


class Rule(StrEnum):
    SPT = "spt"  # shortest processing time
    MWKR = "mwkr"  # most work remaining
    EDD = "edd"  # earliest (operation) due date
    ATC = "atc"  # apparent tardiness cost (Vepsalainen & Morton)


def _keys(instance: Instance, rule: Rule) -> list[float]:
    """Per operation priority, smaller first (SPT is handled per machine)."""
    tails = instance.tails
    ops = instance.operations
    horizon = instance.horizon
    job_due = [horizon if job.due is None else job.due for job in instance.jobs]
    due = [job_due[op.job] - (tails[i] - op.min_duration) for i, op in enumerate(ops)]
    if rule is Rule.MWKR:
        return [-t for t in tails]
    if rule is Rule.EDD:
        return [float(d) for d in due]
    return [float(op.min_duration) for op in ops]  # SPT; ATC is computed on release


class _Urgency:
    """The apparent tardiness cost of operations at a time: weight per unit of work, damped by
    the slack left before the operation's due date in units of ``lookahead`` mean durations."""

    def __init__(
        self,
        instance: Instance,
        due: list[float],
        lookahead: float,
        boost: Sequence[float] | None,
    ) -> None:
        ops = instance.operations
        mean_p = sum(op.min_duration for op in ops) / max(1, len(ops))
        self.scale = lookahead * mean_p
        self.due = due
        self.duration = [op.min_duration for op in ops]
        jobs = instance.jobs
        weight = [j.weight * (1.0 if boost is None else boost[k]) for k, j in enumerate(jobs)]
        self.ratio = [weight[op.job] / op.min_duration for op in ops]

    def pick(self, queue: list[int], t: int) -> int:
        """Position in ``queue`` of the most urgent operation at ``t``."""
        due, duration, ratio, scale = self.due, self.duration, self.ratio, self.scale
        best, chosen = -1.0, 0
        for k, i in enumerate(queue):
            value = ratio[i] * math.exp(-max(0.0, due[i] - duration[i] - t) / scale)
            if value > best:
                best, chosen = value, k
        return chosen


def dispatch(
    instance: Instance,
    rule: Rule,
    lookahead: float = ATC_LOOKAHEAD,
    boost: Sequence[float] | None = None,
) -> Schedule:
    """One pass of ``rule``; ``lookahead`` is the apparent tardiness cost's k and ``boost``
    multiplies each job's weight in it (the priority search tunes them)."""
    ops = instance.operations
    tails = instance.tails
    keys = _keys(instance, rule if rule is not Rule.ATC else Rule.EDD)
    urgency = _Urgency(instance, keys, lookahead, boost) if rule is Rule.ATC else None
    frozen = instance.frozen_by_op
    timeline = Timeline(instance)
    result: dict[int, Assignment] = dict(frozen)
    waiting = [len(set(op.predecessors)) for op in ops]
    ready_at = [instance.earliest_start(i) for i in range(len(ops))]
    future: list[list[tuple[int, float, int, int]]] = [[] for _ in instance.machines]
    arrived: list[list[tuple[float, int, int]]] = [[] for _ in instance.machines]
    events: list[tuple[int, int]] = []
    pending: list[int | None] = [None] * len(instance.machines)  # one live event per machine

    def wake(m: int, t: int) -> None:
        current = pending[m]
        if current is None or t < current:
            pending[m] = t
            heapq.heappush(events, (t, m))

    def release(i: int) -> None:
        for mode in ops[i].modes:
            k = float(mode.duration) if rule is Rule.SPT else keys[i]
            heapq.heappush(future[mode.machine], (ready_at[i], k, -tails[i], i))
            wake(mode.machine, max(ready_at[i], timeline.free[mode.machine]))

    def finish(first: int) -> None:
        done = [first]  # frozen successors finish at once, without a machine decision
        while done:
            i = done.pop()
            for s in instance.successors[i]:
                ready_at[s] = max(ready_at[s], result[i].end)
                waiting[s] -= 1
                if waiting[s] == 0:
                    (done.append if s in frozen else release)(s)

    for i in [i for i in range(len(ops)) if waiting[i] == 0]:
        (finish if i in frozen else release)(i)
    while events:
        t, m = heapq.heappop(events)
        if pending[m] != t:
            continue
        pending[m] = None
        if timeline.free[m] > t:
            wake(m, timeline.free[m])
            continue
        while future[m] and future[m][0][0] <= t:
            _, k, tail, i = heapq.heappop(future[m])
            if i not in result:
                heapq.heappush(arrived[m], (k, tail, i))
        while arrived[m] and arrived[m][0][2] in result:
            heapq.heappop(arrived[m])
        if not arrived[m]:
            while future[m] and future[m][0][3] in result:
                heapq.heappop(future[m])
            if future[m]:
                wake(m, future[m][0][0])
            continue
        if urgency is None:
            i = heapq.heappop(arrived[m])[2]
        else:
            arrived[m] = [entry for entry in arrived[m] if entry[2] not in result]
            i = _take(arrived[m], urgency, t)
        best = min(
            (
                timeline.earliest(i, mode.machine, ready_at[i]) + mode.duration,
                mode.machine != m,
                mode.machine,
            )
            for mode in ops[i].modes
        )[2]
        start = timeline.earliest(i, best, ready_at[i])
        result[i] = timeline.place(i, best, start)
        finish(i)
        wake(m, t)
    return Schedule(tuple(result[i] for i in range(len(ops))))


def _take(queue: list[tuple[float, int, int]], urgency: _Urgency, t: int) -> int:
    """Remove and return the queue's most urgent operation (the queue stays a heap); every
    entry is still waiting."""
    k = urgency.pick([i for _, _, i in queue], t)
    i = queue[k][2]
    queue[k] = queue[-1]
    queue.pop()
    heapq.heapify(queue)
    return i
