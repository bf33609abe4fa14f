"""Re-planning keeps running work, avoids broken machines and moves little."""

from __future__ import annotations

import random

import pytest
from sched_support import job_shop

from c2m.engines.scheduling.checker import violations
from c2m.engines.scheduling.model import Instance, Job, Mode, Operation, Schedule
from c2m.engines.scheduling.objective import Objective, moved
from c2m.engines.scheduling.replan import Cancel, MachineDown, MachineUp, Overrun, RushOrder, replan
from c2m.engines.scheduling.solver import SolveOptions, Solver, solve


@pytest.fixture(scope="module")
def planned() -> tuple[Instance, Schedule]:
    instance = job_shop(10, 10, seed=3)
    return instance, solve(instance, SolveOptions(time_limit=2, workers=2)).schedule


def running(plan: Schedule, now: int) -> list[int]:
    return [a.op for a in plan.assignments if a.start < now < a.end]


@pytest.mark.parametrize("machine", [0, 4, 7])
def test_breakdown_avoids_the_machine_keeps_running_work_and_moves_less(
    planned: tuple[Instance, Schedule], machine: int
) -> None:
    instance, plan = planned
    now = plan.makespan // 4
    down = MachineDown(machine, now, 150)
    result = replan(instance, plan, now, down, time_limit=1.5, workers=2)
    new = result.schedule
    assert violations(result.instance, new) == []
    assert not [
        a for a in new.assignments if a.machine == machine and a.start < now + 150 and a.end > now
    ]
    for op in running(plan, now):
        if plan[op].machine != machine:  # work cut off by the breakdown runs again, elsewhen
            assert new[op] == plan[op]
    scratch = solve(result.instance, SolveOptions(time_limit=1.5, workers=2)).schedule
    assert result.moved < moved(result.instance, scratch, result.previous)


def test_overrun_pushes_successors_and_followers(planned: tuple[Instance, Schedule]) -> None:
    instance, plan = planned
    now = plan.makespan // 3
    op = running(plan, now)[0]
    late = plan[op].end + 40
    result = replan(instance, plan, now, Overrun(op, late), time_limit=1.0)
    new = result.schedule
    assert new[op].end == late
    assert violations(result.instance, new) == []
    assert all(new[s].start >= late for s in result.instance.successors[op])


def test_rush_order_is_planned_and_tardiness_counts(planned: tuple[Instance, Schedule]) -> None:
    instance, plan = planned
    now = 50
    rush = RushOrder(
        Job(name="rush", release=now, due=now + 60, weight=10),
        (
            Operation(job=0, modes=(Mode(1, 20), Mode(2, 25))),
            Operation(job=0, modes=(Mode(3, 20),), predecessors=(0,)),
        ),
    )
    result = replan(instance, plan, now, rush, objective=Objective.LEX, time_limit=1.5)
    new = result.schedule
    assert len(new.assignments) == len(instance.operations) + 2
    assert violations(result.instance, new) == []
    assert new.assignments[-2].start >= now


def test_cancel_drops_unstarted_work_only(planned: tuple[Instance, Schedule]) -> None:
    instance, plan = planned
    now = plan.makespan // 2
    job = instance.operations[running(plan, now)[0]].job
    started = [i for i in instance.job_operations[job] if plan[i].start < now]
    result = replan(instance, plan, now, Cancel(job), time_limit=1.0)
    assert len(result.instance.job_operations[job]) == len(started)
    assert len(result.schedule.assignments) == len(instance.operations) - (10 - len(started))
    assert violations(result.instance, result.schedule) == []


def test_machine_back_early_never_makes_the_plan_worse(planned: tuple[Instance, Schedule]) -> None:
    instance, plan = planned
    now = plan.makespan // 4
    broken = replan(instance, plan, now, MachineDown(2, now, 300), time_limit=1.0)
    back = replan(
        broken.instance, broken.schedule, now + 10, MachineUp(2, now + 10), time_limit=1.0
    )
    assert back.instance.windows[0].end == now + 10
    assert back.schedule.makespan <= broken.schedule.makespan
    assert violations(back.instance, back.schedule) == []


def test_a_breakdown_reported_in_the_past_is_refused(planned: tuple[Instance, Schedule]) -> None:
    instance, plan = planned
    with pytest.raises(ValueError, match="at or after now"):
        replan(instance, plan, 100, MachineDown(0, 50, 10))


def test_a_replan_with_200_rush_orders_at_seconds_scale_returns_a_plan() -> None:
    """Weighted lateness of 200 jobs over a week in seconds, times the makespan's range, times
    the operations that may move, is far beyond what one CP-SAT objective holds exactly: the
    levels are solved in turn instead of the builder giving up (the planner skipped the re-plan)."""
    rng = random.Random(5)
    machines = tuple(f"m{m}" for m in range(6))
    jobs, operations = [], []
    for j in range(200):
        jobs.append(Job(f"rush{j}", due=rng.randint(3_600, 72 * 3_600), weight=rng.randint(1, 10)))
        for k in range(3):
            modes = tuple(Mode(m, rng.randint(3_600, 14_400)) for m in rng.sample(range(6), 2))
            before = (len(operations) - 1,) if k else ()
            operations.append(Operation(j, modes, before))
    instance = Instance(machines, tuple(jobs), tuple(operations))
    plan = solve(instance, SolveOptions(solver=Solver.DISPATCH, objective=Objective.LEX)).schedule
    down = MachineDown(0, plan.makespan // 4, 3_600)
    result = replan(instance, plan, plan.makespan // 4, down, objective=Objective.LEX)
    assert violations(result.instance, result.schedule) == []
    assert len(result.schedule.assignments) == len(result.instance.operations)
