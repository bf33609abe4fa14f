"""Every solver against known optima, brute force and the independent checker."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from sched_support import FT06, brute_force, instances

from c2m.engines.scheduling import cpsat
from c2m.engines.scheduling.checker import violations
from c2m.engines.scheduling.cpsat import solve_cpsat
from c2m.engines.scheduling.dispatch import ATC_LOOKAHEAD, Rule, dispatch
from c2m.engines.scheduling.formats import parse_text
from c2m.engines.scheduling.lns import improve
from c2m.engines.scheduling.model import Assignment, Instance, Job, Mode, Operation, Window
from c2m.engines.scheduling.objective import Objective, evaluate, moved
from c2m.engines.scheduling.priority import priority_search
from c2m.engines.scheduling.progress import Progress, Reporter, SearchParams
from c2m.engines.scheduling.solver import SolveOptions, Solver, solve
from c2m.engines.scheduling.timeline import keep_previous_starts, repair

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def single_machine(durations: list[int], dues: list[int], weights: list[int]) -> Instance:
    return Instance(
        machines=("M",),
        jobs=tuple(Job(due=d, weight=w) for d, w in zip(dues, weights, strict=True)),
        operations=tuple(Operation(job=j, modes=(Mode(0, p),)) for j, p in enumerate(durations)),
    )


def test_ft06_reaches_its_proven_optimum_of_55() -> None:
    result = solve(parse_text(FT06, "ft06"), SolveOptions(time_limit=10, workers=2))
    assert result.value == 55
    assert result.bound == 55
    assert result.optimal


def test_weighted_tardiness_on_one_machine_matches_the_hand_optimum() -> None:
    # Jobs (p, d, w): (4, 4, 1), (3, 5, 5), (2, 6, 1). The heavy job first, the short one
    # second, the long one last: ends 3, 5, 9 -> only job 0 is late, by 5. Running the long job
    # first (EDD) costs 0 + 2*5 + 3 = 13.
    instance = single_machine([4, 3, 2], [4, 5, 6], [1, 5, 1])
    result = solve(instance, SolveOptions(objective=Objective.TARDINESS, time_limit=5))
    assert result.metrics.weighted_tardiness == 5 == brute_force(instance, Objective.TARDINESS)[0]


def test_lex_objective_breaks_tardiness_ties_by_makespan() -> None:
    # Both jobs can be on time; machine 1 is slower. Tardiness 0 either way, makespan decides.
    instance = Instance(
        machines=("fast", "slow"),
        jobs=(Job(due=100), Job(due=100)),
        operations=(
            Operation(job=0, modes=(Mode(0, 3), Mode(1, 9))),
            Operation(job=1, modes=(Mode(0, 3), Mode(1, 5))),
        ),
    )
    result = solve(instance, SolveOptions(objective=Objective.LEX, time_limit=5))
    assert result.metrics.key(Objective.LEX) == (0, 5)


def test_setup_times_and_windows_shape_the_optimum() -> None:
    # a -> b costs 10, b -> a costs 0; so b must come first. The window pushes the first start.
    instance = Instance(
        machines=("M",),
        jobs=(Job(), Job()),
        operations=(
            Operation(job=0, modes=(Mode(0, 2),), family="a"),
            Operation(job=1, modes=(Mode(0, 2),), family="b"),
        ),
        setups={("a", "b"): 10},
        windows=(Window(0, 0, 3),),
    )
    result = solve(instance, SolveOptions(time_limit=5))
    assert result.value == 7
    assert result.schedule[1].start == 3


def test_a_machine_with_setups_may_stay_idle() -> None:
    # Regression: the setup circuit once forced at least one operation onto every machine.
    fast_or_slow = (Mode(0, 1), Mode(1, 10))
    instance = Instance(
        machines=("fast", "slow"),
        jobs=(Job(), Job()),
        operations=(
            Operation(job=0, modes=fast_or_slow, family="x"),
            Operation(job=1, modes=fast_or_slow, family="x"),
        ),
        setups={("x", "x"): 1},
    )
    outcome = solve_cpsat(instance, Objective.MAKESPAN, SearchParams(5, workers=1))
    assert outcome.optimal
    assert outcome.schedule is not None
    assert outcome.schedule.makespan == 3


@FAST
@given(instances(max_ops=5))
def test_cpsat_matches_brute_force_on_every_objective(instance: Instance) -> None:
    for objective in Objective:
        best = brute_force(instance, objective)
        outcome = solve_cpsat(instance, objective, SearchParams(5, workers=1))  # the model alone
        assert outcome.optimal
        assert outcome.schedule is not None
        assert violations(instance, outcome.schedule) == []
        assert evaluate(instance, outcome.schedule).key(objective) == best
        result = solve(instance, SolveOptions(objective=objective, time_limit=5, workers=1))
        assert result.metrics.key(objective) == best


@FAST
@given(instances(max_ops=5))
def test_levels_solved_in_turn_find_the_same_lexicographic_optimum(instance: Instance) -> None:
    """When the levels do not fit one sum (here: forced, every level its own sum), each is
    minimized in turn with the earlier ones held at their best: still the exact optimum."""
    best = brute_force(instance, Objective.LEX)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cpsat, "MAX_SCALAR", 1)
        outcome = solve_cpsat(instance, Objective.LEX, SearchParams(5, workers=1))
    assert outcome.optimal
    assert outcome.schedule is not None
    assert violations(instance, outcome.schedule) == []
    assert evaluate(instance, outcome.schedule).key(Objective.LEX) == best


@FAST
@given(instances(max_ops=10, max_machines=4))
def test_every_solver_returns_a_feasible_schedule(instance: Instance) -> None:
    for rule in Rule:
        assert violations(instance, dispatch(instance, rule)) == []
    base = dispatch(instance, Rule.MWKR)
    params = SearchParams(time_limit=0.3, workers=1, deterministic=True)
    improved = improve(instance, Objective.MAKESPAN, base, params, Reporter(None))
    assert violations(instance, improved) == []
    assert improved.makespan <= base.makespan
    # The large-instance path (fixed windows, floating tails) on a small instance:
    large = improve(instance, Objective.MAKESPAN, base, params, Reporter(None), floating_limit=3)
    assert violations(instance, large) == []
    assert large.makespan <= base.makespan
    full = solve_cpsat(instance, Objective.LEX, SearchParams(2, workers=1), hint=base)
    assert full.schedule is not None
    assert violations(instance, full.schedule) == []


@FAST
@given(instances(max_ops=12, max_machines=4))
def test_the_priority_search_is_feasible_and_never_worse_than_its_start(instance: Instance) -> None:
    lex = Objective.LEX
    start = evaluate(instance, dispatch(instance, Rule.ATC, ATC_LOOKAHEAD)).key(lex)
    params = SearchParams(time_limit=0.5, workers=1, deterministic=True)
    found = priority_search(instance, lex, ATC_LOOKAHEAD, params, Reporter(None))
    assert violations(instance, found) == []
    assert evaluate(instance, found).key(lex) <= start


@FAST
@given(instances(max_ops=8))
def test_a_re_plan_is_never_worse_than_repairing_the_previous_plan(instance: Instance) -> None:
    previous = dispatch(instance, Rule.SPT)
    down = replace(instance, windows=(*instance.windows, Window(0, 0, 10)))
    repaired = repair(down, previous)
    assert violations(down, repaired) == []
    assert all(repaired[i].start >= a.start for i, a in enumerate(previous.assignments))
    lex = Objective.LEX
    result = solve(down, SolveOptions(lex, Solver.DISPATCH, reference=previous))
    assert result.metrics.key(lex) <= evaluate(down, repaired, previous).key(lex)


@FAST
@given(instances(max_ops=8))
def test_keeping_previous_starts_moves_less_at_no_cost(instance: Instance) -> None:
    plan = dispatch(instance, Rule.SPT)
    down = replace(instance, windows=(*instance.windows, Window(0, 0, 10)))
    previous = repair(down, plan)  # later than the plan wherever machine 0 pushed it
    settled = keep_previous_starts(instance, plan, previous)
    assert violations(instance, settled) == []
    lex = Objective.LEX
    assert evaluate(instance, settled).key(lex) == evaluate(instance, plan).key(lex)
    assert moved(instance, settled, previous) <= moved(instance, plan, previous)


@FAST
@given(instances(max_ops=8))
def test_frozen_work_stays_where_it_is(instance: Instance) -> None:
    first = dispatch(instance, Rule.SPT)
    now = min(a.end for a in first.assignments)
    started = tuple(
        a for a in first.assignments if a.start < now and not instance.operations[a.op].predecessors
    )
    replanned = replace(instance, frozen=started, now=now)
    for solver in Solver:
        result = solve(replanned, SolveOptions(solver=solver, time_limit=0.5, workers=1))
        assert all(result.schedule[a.op] == a for a in started)
        assert all(
            a.start >= now
            for a in result.schedule.assignments
            if a.op not in replanned.frozen_by_op
        )


def test_deterministic_mode_repeats_itself() -> None:
    instance = parse_text(FT06, "ft06")
    options = SolveOptions(solver=Solver.LNS, time_limit=0.5, workers=2, seed=7, deterministic=True)
    assert solve(instance, options).schedule == solve(instance, options).schedule


def test_progress_reports_improvements_and_bounds() -> None:
    seen: list[Progress] = []
    solve(parse_text(FT06, "ft06"), SolveOptions(time_limit=5), seen.append)
    objectives = [p.objective for p in seen]
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[-1] == 55
    assert seen[-1].bound == 55
    assert all(b.elapsed >= a.elapsed for a, b in pairwise(seen))


def test_the_apparent_tardiness_cost_puts_heavy_late_work_first() -> None:
    instance = single_machine([10, 10], dues=[0, 1], weights=[1, 10])
    assert dispatch(instance, Rule.EDD)[0].start == 0
    assert dispatch(instance, Rule.ATC)[1].start == 0
    result = solve(instance, SolveOptions(Objective.LEX, Solver.DISPATCH))
    assert (result.solver, result.value) == ("dispatch-atc", 10 * (10 - 1) + 1 * 20)


@pytest.mark.parametrize("rule", list(Rule))
def test_dispatching_handles_frozen_chains_and_releases(rule: Rule) -> None:
    instance = Instance(
        machines=("M0", "M1"),
        jobs=(Job(release=0), Job(release=5, due=8)),
        operations=(
            Operation(job=0, modes=(Mode(0, 4),)),
            Operation(job=0, modes=(Mode(1, 2),), predecessors=(0,)),
            Operation(job=1, modes=(Mode(0, 3), Mode(1, 1))),
        ),
        frozen=(Assignment(0, 0, 0, 6),),  # overran by two
        now=1,
    )
    schedule = dispatch(instance, rule)
    assert violations(instance, schedule) == []
    assert schedule[1].start == 6
    assert evaluate(instance, schedule).makespan <= 9
