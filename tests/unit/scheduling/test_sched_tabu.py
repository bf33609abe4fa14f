"""The tabu search: feasible, never worse than where it started, reproducible, and good."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from sched_support import FT06, instances, job_shop

from c2m.engines.scheduling.checker import violations
from c2m.engines.scheduling.dispatch import Rule, dispatch
from c2m.engines.scheduling.formats import parse_text
from c2m.engines.scheduling.model import Instance, Window
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.progress import Reporter, SearchParams
from c2m.engines.scheduling.solver import SolveOptions, Solver, solve
from c2m.engines.scheduling.tabu import applicable, tabu_search

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUICK = SearchParams(time_limit=0.05, workers=2, seed=3, deterministic=True)  # 1,000 moves


@FAST
@given(instances(max_ops=12, max_machines=4))
def test_schedules_are_feasible_and_never_longer(instance: Instance) -> None:
    """DAG precedences, releases, setups and flexible machines: the checker accepts them all."""
    instance = replace(instance, windows=())
    start = dispatch(instance, Rule.MWKR)
    found = tabu_search(instance, start, QUICK, Reporter(None))
    assert violations(instance, found) == []
    assert found.makespan <= start.makespan


def test_ft06_reaches_its_optimum_from_a_poor_start() -> None:
    instance = parse_text(FT06, "ft06")
    start = dispatch(instance, Rule.SPT)
    assert start.makespan > 55
    assert tabu_search(instance, start, QUICK, Reporter(None)).makespan == 55


def test_random_job_shops_end_at_or_near_the_proven_optimum() -> None:
    """Within 1 % of CP-SAT's proven optimum on 8 x 4 job shops, in a budget of 10,000 moves.

    Eight jobs on four machines make long critical blocks, where swaps at the block ends alone
    (the N5 neighbourhood) get stuck: moves into and out of the blocks are needed."""
    budget = replace(QUICK, time_limit=0.5)
    for seed in range(4):
        instance = job_shop(8, 4, seed)
        exact = solve(instance, SolveOptions(solver=Solver.CPSAT, time_limit=10, workers=2))
        assert exact.optimal
        found = tabu_search(instance, dispatch(instance, Rule.SPT), budget, Reporter(None))
        assert found.makespan <= exact.value * 1.01


def test_same_seed_same_schedule() -> None:
    instance = job_shop(12, 5, seed=9)
    start = dispatch(instance, Rule.MWKR)
    first = tabu_search(instance, start, QUICK, Reporter(None))
    assert tabu_search(instance, start, QUICK, Reporter(None)) == first


def test_it_stands_aside_where_times_are_pinned() -> None:
    """Windows, frozen work, other objectives and re-planning need CP-SAT; the tabu solver
    then falls back to the large-neighbourhood search and still honours every constraint."""
    instance = job_shop(6, 3, seed=1)
    assert applicable(instance, Objective.MAKESPAN, None)
    assert not applicable(instance, Objective.TARDINESS, None)
    plan = dispatch(instance, Rule.SPT)
    assert not applicable(instance, Objective.MAKESPAN, plan)
    windowed = replace(instance, windows=(Window(0, 0, 50),))
    assert not applicable(windowed, Objective.MAKESPAN, None)
    result = solve(windowed, SolveOptions(solver=Solver.TABU, time_limit=1, workers=1))
    assert violations(windowed, result.schedule) == []
    assert all(a.start >= 50 for a in result.schedule.assignments if a.machine == 0)
