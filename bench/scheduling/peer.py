"""The peer: the textbook CP-SAT model (intervals, no-overlap per machine, precedences, optional
intervals for machine choice), default parameters, no hint. Kept apart from the engine on
purpose, so improvements to the engine cannot leak into the yardstick.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from c2m.engines.scheduling.model import Instance


def textbook_makespan(instance: Instance, time_limit: float, workers: int) -> int | None:
    """Best makespan the plain model finds within the limit, or None."""
    model = cp_model.CpModel()
    horizon = sum(max(m.duration for m in op.modes) for op in instance.operations)
    starts, ends = [], []
    per_machine: dict[int, list[cp_model.IntervalVar]] = {}
    for i, op in enumerate(instance.operations):
        start = model.new_int_var(0, horizon, f"s{i}")
        end = model.new_int_var(0, horizon, f"e{i}")
        if len(op.modes) == 1:
            mode = op.modes[0]
            interval = model.new_interval_var(start, mode.duration, end, f"i{i}")
            per_machine.setdefault(mode.machine, []).append(interval)
        else:
            chosen = []
            for mode in op.modes:
                present = model.new_bool_var(f"p{i}_{mode.machine}")
                interval = model.new_optional_interval_var(
                    start, mode.duration, end, present, f"i{i}_{mode.machine}"
                )
                per_machine.setdefault(mode.machine, []).append(interval)
                chosen.append(present)
            model.add_exactly_one(chosen)
        starts.append(start)
        ends.append(end)
    for intervals in per_machine.values():
        model.add_no_overlap(intervals)
    for i, op in enumerate(instance.operations):
        for p in op.predecessors:
            model.add(ends[p] <= starts[i])
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, ends)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(solver.objective_value)
    return None
