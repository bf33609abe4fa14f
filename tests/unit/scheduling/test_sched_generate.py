"""The planner-shaped instance bench/planner.py measures: the shape issue 18 describes."""

from __future__ import annotations

from c2m.engines.scheduling.checker import violations
from c2m.engines.scheduling.dispatch import Rule, dispatch
from c2m.engines.scheduling.generate import HOUR, planner_shaped
from c2m.engines.scheduling.objective import Objective, evaluate
from c2m.engines.scheduling.solver import best_dispatch


def test_a_planner_shaped_instance_is_a_factorys_open_work() -> None:
    instance = planner_shaped(300, seed=1)
    assert len(instance.jobs) == 300
    assert len(instance.machines) == 17
    assert 4 * 300 <= len(instance.operations) <= 6 * 300
    assert all(6 * HOUR <= (job.due or 0) <= 72 * HOUR for job in instance.jobs)
    assert {job.weight for job in instance.jobs} <= set(range(1, 11))
    running = {a.machine for a in instance.frozen}
    assert len(instance.frozen) == len(running) == 11  # one first step on each making machine
    assert any(len(op.modes) > 1 for op in instance.operations)  # alternative machines
    nights = [w for w in instance.windows if w.machine == 0]
    assert [(w.start, w.end) for w in nights][:2] == [
        (16 * HOUR, 24 * HOUR),
        (40 * HOUR, 48 * HOUR),
    ]
    assert violations(instance, dispatch(instance, Rule.EDD)) == []
    assert planner_shaped(300, seed=1) == instance  # the same seed, the same instance


def test_on_an_overloaded_plant_weighing_urgency_beats_earliest_due_date_first() -> None:
    instance = planner_shaped(300, seed=1)
    edd = evaluate(instance, dispatch(instance, Rule.EDD)).weighted_tardiness
    best, rule, _ = best_dispatch(instance, Objective.LEX)
    assert rule == "dispatch-atc"
    assert evaluate(instance, best).weighted_tardiness < 0.75 * edd
