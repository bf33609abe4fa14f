"""Large-neighbourhood search: re-optimise a slice of the incumbent with CP-SAT, keep what helps.

Up to ``FLOATING_LIMIT`` operations the rest of the plan keeps its machine order but may shift
in time, so a sub-solve sees the true objective. Beyond that, building a model of everything
each round costs too much: the rest is fixed, the slice minimises its own completion times and
a left-shift (decode of the machine orders) passes the gain on to everything after it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from c2m.engines.scheduling.cpsat import Neighbourhood, solve_cpsat
from c2m.engines.scheduling.model import Instance, Schedule
from c2m.engines.scheduling.objective import Objective, evaluate
from c2m.engines.scheduling.progress import Reporter, SearchParams
from c2m.engines.scheduling.timeline import decode

FLOATING_LIMIT = 4000
TAIL_SHARE = 0.5  # large instances: share of rounds spent on the plan's tail (true objective)
SUB_TIME = 1.0  # seconds (or deterministic units) per sub-solve
MIN_FREE, MAX_FREE = 8, 600
MIN_CHARGE = 0.01  # deterministic budget charged per round, so tiny rounds still end the search


@dataclass(slots=True)
class _Budget:
    """Wall-clock, or the sum of CP-SAT deterministic time when runs must be reproducible."""

    limit: float
    deterministic: bool
    started: float = 0.0
    spent: float = 0.0

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    def left(self) -> float:
        used = self.spent if self.deterministic else time.monotonic() - self.started
        return self.limit - used


def compact(instance: Instance, schedule: Schedule) -> Schedule:
    """Left-shift: same machine orders, every operation as early as it can go."""
    return decode(instance, schedule.machine_sequences(len(instance.machines)))


def improve(
    instance: Instance,
    objective: Objective,
    incumbent: Schedule,
    params: SearchParams,
    reporter: Reporter,
    reference: Schedule | None = None,
    floating_limit: int = FLOATING_LIMIT,
) -> Schedule:
    """Improve ``incumbent`` until the time limit; never returns anything worse."""
    rng = random.Random(params.seed)  # noqa: S311 (diversification, not secrecy)
    budget = _Budget(params.time_limit, params.deterministic)
    floating = len(instance.operations) <= floating_limit
    movable = [i for i in range(len(instance.operations)) if i not in instance.frozen_by_op]
    if not movable:
        return incumbent

    def score(s: Schedule) -> tuple[int, ...]:
        return evaluate(instance, s, reference).key(objective)

    best, best_key = incumbent, score(incumbent)
    size = min(len(movable), max(MIN_FREE, len(movable) // 5 if floating else 300), MAX_FREE)
    pickers = _pickers(instance, rng, floating)
    while (left := budget.left()) > 0.05:
        pick = pickers[rng.randrange(len(pickers))]
        sub = replace(params, time_limit=min(left, SUB_TIME), seed=rng.randrange(2**31))
        if floating or rng.random() >= TAIL_SHARE:
            area = Neighbourhood(frozenset(pick(best, movable, size)), best, floating)
        else:  # float the last operations of the plan, free a window among them
            tail = sorted(movable, key=lambda i: best[i].start)[-floating_limit:]
            area = Neighbourhood(frozenset(pick(best, tail, size)), best, True, best[tail[0]].start)
        free = area.free
        outcome = solve_cpsat(instance, objective, sub, hint=best, reference=reference, area=area)
        budget.spent += max(outcome.work, MIN_CHARGE)
        if outcome.optimal:
            size = min(len(movable), MAX_FREE, int(size * 1.25) + 1)
        else:
            size = max(MIN_FREE, int(size * 0.85))
        if outcome.schedule is None:
            continue
        whole = floating and outcome.optimal and len(free) == len(movable)
        candidate = (
            outcome.schedule if reference is not None else compact(instance, outcome.schedule)
        )
        key = score(candidate)
        if key <= best_key:  # equal moves let the search drift across plateaus
            best, best_key = candidate, key
            reporter.report("lns", key[0])
        if whole:  # the neighbourhood was the whole problem, solved to optimality
            break
    return best


Picker = Callable[[Schedule, list[int], int], list[int]]


def _pickers(instance: Instance, rng: random.Random, floating: bool) -> list[Picker]:
    """Ways to choose the operations to free: a time window, some machines, some jobs."""

    def window(s: Schedule, movable: list[int], size: int) -> list[int]:
        ordered = sorted(movable, key=lambda i: s[i].start)
        first = rng.randrange(max(1, len(ordered) - size + 1))
        return ordered[first : first + size]

    def grouped(group: Callable[[Schedule, int], int]) -> Picker:
        def pick(s: Schedule, movable: list[int], size: int) -> list[int]:
            members: dict[int, list[int]] = {}
            for i in movable:
                members.setdefault(group(s, i), []).append(i)
            keys = list(members)
            rng.shuffle(keys)
            chosen: list[int] = []
            for k in keys:
                if len(chosen) >= size:
                    break
                chosen += members[k]
            return chosen

        return pick

    if not floating:
        return [window]
    by_machine = grouped(lambda s, i: s[i].machine)
    by_job = grouped(lambda s, i: instance.operations[i].job)
    return [window, by_machine, by_job]
