"""Dispatching rules: a feasible schedule in one pass, even for 100,000 operations.

A non-delay simulation: whenever a machine can start something, it takes the waiting
operation the rule likes best; the operation then goes to whichever eligible machine finishes
it first. Priorities are fixed when an operation becomes ready, so each step is a heap pop.
"""

from __future__ import annotations

import heapq
import math
from enum import StrEnum

from c2m.engines.scheduling.model import Assignment, Instance, Schedule
from c2m.engines.scheduling.timeline import Timeline

ATC_LOOKAHEAD = 2.0  # the usual k in the apparent-tardiness-cost index


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


def _atc(instance: Instance, op: int, due: float, t: int, mean_p: float) -> float:
    p = instance.operations[op].min_duration
    weight = instance.jobs[instance.operations[op].job].weight
    slack = max(0.0, due - p - t)
    return -(weight / p) * math.exp(-slack / (ATC_LOOKAHEAD * mean_p))


def dispatch(instance: Instance, rule: Rule) -> Schedule:
    ops = instance.operations
    tails = instance.tails
    keys = _keys(instance, rule if rule is not Rule.ATC else Rule.EDD)
    mean_p = sum(op.min_duration for op in ops) / max(1, len(ops))
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
        key = keys[i]
        if rule is Rule.ATC:
            key = _atc(instance, i, keys[i], ready_at[i], mean_p)
        for mode in ops[i].modes:
            k = float(mode.duration) if rule is Rule.SPT else key
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
        i = heapq.heappop(arrived[m])[2]
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
