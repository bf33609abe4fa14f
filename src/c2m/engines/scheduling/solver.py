"""One entry point for every solver: dispatching, priority and tabu search, CP-SAT, LNS.

Whatever runs, the answer is checked by the independent checker before it is returned, and a
dispatching schedule is always there first, so a time limit never leaves us empty-handed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from c2m.engines.scheduling.checker import assert_feasible
from c2m.engines.scheduling.dispatch import ATC_LOOKAHEAD, ATC_LOOKAHEADS, Rule, dispatch
from c2m.engines.scheduling.model import Instance, InstanceError, Schedule
from c2m.engines.scheduling.objective import Metrics, Objective, evaluate, makespan_lower_bound
from c2m.engines.scheduling.priority import applicable as priority_applicable
from c2m.engines.scheduling.priority import priority_search
from c2m.engines.scheduling.progress import ProgressCallback, Reporter, SearchParams
from c2m.engines.scheduling.timeline import keep_previous_starts, repair

FULL_MODEL_LIMIT = 1000  # auto: up to this many operations one CP-SAT model, LNS beyond
TABU_SHARE = 0.5  # auto, makespan: share of the time for the tabu search before CP-SAT or LNS
# auto, makespan, up to this many operations: a short tabu search, then CP-SAT from scratch
FRESH_START_LIMIT = 300
FRESH_START_TABU_SHARE = 0.15
PRIORITY_SHARE = 0.3  # auto, due dates, up to FULL_MODEL_LIMIT: the priority search's share


class Solver(StrEnum):
    AUTO = "auto"  # tabu search or priority search where they apply; then CP-SAT or LNS
    CPSAT = "cpsat"
    LNS = "lns"
    TABU = "tabu"
    DISPATCH = "dispatch"


@dataclass(frozen=True, slots=True)
class SolveOptions:
    objective: Objective = Objective.MAKESPAN
    solver: Solver = Solver.AUTO
    time_limit: float = 10.0
    workers: int = 2
    seed: int = 0
    deterministic: bool = False
    rule: Rule | None = None  # dispatching rule; None tries them all and keeps the best
    reference: Schedule | None = None  # previous plan: moving away from it costs (2nd level)
    hint: Schedule | None = None  # a known schedule to start from


@dataclass(frozen=True, slots=True)
class SolveResult:
    schedule: Schedule
    metrics: Metrics
    objective: Objective
    bound: int | None  # proven lower bound on the primary objective
    optimal: bool
    solver: str
    elapsed: float

    @property
    def value(self) -> int:
        return self.metrics.primary(self.objective)

    @property
    def gap(self) -> float | None:
        """Relative distance to the bound, (value - bound) / value."""
        if self.bound is None:
            return None
        return (self.value - self.bound) / self.value if self.value else 0.0


def best_dispatch(
    instance: Instance,
    objective: Objective,
    rule: Rule | None = None,
    reference: Schedule | None = None,
) -> tuple[Schedule, str, float]:
    """The best of the rules; the apparent tardiness cost with each of several lookaheads, as
    the right one depends on how overloaded the plant is (only when due dates count). Also the
    lookahead of the best apparent-tardiness-cost plan, where the priority search starts."""
    rules = [rule] if rule is not None else list(Rule)
    lookaheads = ATC_LOOKAHEADS if priority_applicable(instance, objective) else (ATC_LOOKAHEAD,)
    tried = [
        (dispatch(instance, r, k), r, k)
        for r in rules
        for k in (lookaheads if r is Rule.ATC else (ATC_LOOKAHEAD,))
    ]

    def key(item: tuple[Schedule, Rule, float]) -> tuple[int, ...]:
        return evaluate(instance, item[0], reference).key(objective)

    schedule, chosen, _ = min(tried, key=key)
    atc = [item for item in tried if item[1] is Rule.ATC]
    return schedule, f"dispatch-{chosen}", min(atc, key=key)[2] if atc else ATC_LOOKAHEAD


def solve(
    instance: Instance, options: SolveOptions, on_progress: ProgressCallback | None = None
) -> SolveResult:
    # Imported here, the only user: callers that only build options never load OR-Tools or numba.
    from c2m.engines.scheduling.cpsat import solve_cpsat
    from c2m.engines.scheduling.lns import compact, improve
    from c2m.engines.scheduling.tabu import applicable, tabu_search

    started = time.monotonic()
    reporter = Reporter(on_progress, started)
    objective, reference = options.objective, options.reference

    def key(s: Schedule) -> tuple[int, ...]:
        return evaluate(instance, s, reference).key(objective)

    best, name, lookahead = best_dispatch(instance, objective, options.rule, reference)
    for start, label in ((options.hint, "hint"), (_repaired(instance, reference), "repair")):
        if start is not None and key(start) <= key(best):
            best, name = start, label
    reporter.report(name, key(best)[0])
    bound = makespan_lower_bound(instance) if objective is Objective.MAKESPAN else 0
    optimal = False

    def params(share: float = 1.0) -> SearchParams:
        left = options.time_limit
        if not options.deterministic:
            left -= time.monotonic() - started
        left *= share
        return SearchParams(max(0.1, left), options.workers, options.seed, options.deterministic)

    solver, size = options.solver, len(instance.operations)
    small, fresh = size <= FULL_MODEL_LIMIT, size <= FRESH_START_LIMIT
    tabu = applicable(instance, objective, reference)
    tardy = priority_applicable(instance, objective)
    if solver is Solver.TABU and not tabu:
        solver = Solver.LNS  # times are pinned (windows, frozen work, a previous plan)
    auto = solver is Solver.AUTO
    hint: Schedule | None = best
    if solver is Solver.TABU or (auto and tabu):
        # Large and not flexible: LNS cannot add what the tabu search misses, so no share for it.
        alone = solver is Solver.TABU or not (small or instance.is_flexible)
        share = 1.0 if alone else FRESH_START_TABU_SHARE if fresh else TABU_SHARE
        found = tabu_search(instance, best, params(share), reporter, bound)
        if key(found) < key(best):
            best, name = found, "tabu"
        auto = auto and not alone and key(best)[0] > bound
        # On small shops the tabu search settles in a local optimum within seconds; hinted with
        # it, CP-SAT searches around it too. From scratch it searches elsewhere; we keep the
        # better of the two.
        hint = None if fresh else best
    if auto and tardy:
        share = PRIORITY_SHARE if small else 1.0  # large: LNS found nothing in 30 s
        found = priority_search(instance, objective, lookahead, params(share), reporter, reference)
        if key(found) < key(best):
            best, name = found, "priority"
        hint = best
    if solver is Solver.CPSAT or (auto and small):
        outcome = solve_cpsat(
            instance, objective, params(), hint=hint, reference=reference, reporter=reporter
        )
        if outcome.schedule is not None:
            found = (
                outcome.schedule if reference is not None else compact(instance, outcome.schedule)
            )
            if key(found) <= key(best):
                best, name = found, "cp-sat"
            optimal = outcome.optimal
        if outcome.bound is not None:
            bound = max(bound, outcome.bound)
    if solver is Solver.LNS or (auto and not small and not tardy):
        improved = improve(instance, objective, best, params(), reporter, reference)
        if key(improved) < key(best):
            best, name = improved, "lns"
    if reference is not None:
        settled = keep_previous_starts(instance, best, reference)
        best = settled if key(settled) <= key(best) else best
    assert_feasible(instance, best)
    metrics = evaluate(instance, best, reference)
    reporter.report(name, metrics.primary(objective), bound)  # the final bound, if it moved
    optimal = optimal or (reference is None and metrics.primary(objective) == bound)
    return SolveResult(
        schedule=best,
        metrics=metrics,
        objective=objective,
        bound=bound,
        optimal=optimal,
        solver=name,
        elapsed=time.monotonic() - started,
    )


def _repaired(instance: Instance, reference: Schedule | None) -> Schedule | None:
    """The previous plan repaired, where its machine orders still fit the instance."""
    if reference is None:
        return None
    try:
        return repair(instance, reference)
    except InstanceError:  # an order that contradicts today's precedences: plan afresh
        return None
