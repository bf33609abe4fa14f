"""Priority search: re-dispatch by apparent tardiness cost with single jobs made more or less
urgent, keeping every change that leaves the plan no worse (the squeaky wheel gets the grease).

On an overloaded plant the dispatch plan resists local moves: one operation moved earlier
delays everything queued behind it, and CP-SAT sub-models of the whole plan's size answer too
slowly (see benchmarks.md, "Production planner"). Re-running the dispatch with one job's weight
changed re-plans every machine consistently in a few tens of milliseconds. Late, heavy jobs
are drawn most often; now and then the lookahead changes instead.
"""

from __future__ import annotations

import math
import random
import time

from c2m.engines.scheduling.dispatch import Rule, dispatch
from c2m.engines.scheduling.model import Instance, Schedule
from c2m.engines.scheduling.objective import Objective, evaluate, job_completion
from c2m.engines.scheduling.progress import Reporter, SearchParams

BOOST = 0.7  # a try multiplies one job's weight by e^u, u uniform in [-BOOST, BOOST]
LOOKAHEAD_STEP = 0.3  # ... or the lookahead, by e^u with u in [-LOOKAHEAD_STEP, LOOKAHEAD_STEP]
LOOKAHEAD_SHARE = 0.1  # share of tries that change the lookahead
LATE_SHARE = 0.7  # share of tries on a job drawn by its tardiness cost, the rest on any job
RUNS_PER_UNIT = 20  # deterministic searches: dispatch runs per second of time limit


def applicable(instance: Instance, objective: Objective) -> bool:
    """Urgency only matters when due dates count."""
    return objective is not Objective.MAKESPAN and any(j.due is not None for j in instance.jobs)


def _costs(instance: Instance, schedule: Schedule) -> list[int]:
    """Each job's weighted tardiness."""
    costs = []
    for j, job in enumerate(instance.jobs):
        done = job_completion(instance, schedule, j)
        late = 0 if job.due is None or done is None else max(0, done - job.due)
        costs.append(job.weight * late)
    return costs


def priority_search(
    instance: Instance,
    objective: Objective,
    lookahead: float,
    params: SearchParams,
    reporter: Reporter,
    reference: Schedule | None = None,
) -> Schedule:
    """The best dispatch plan found until the time limit, starting from plain ``lookahead``."""
    started = time.monotonic()
    rng = random.Random(params.seed)  # noqa: S311 (diversification, not secrecy)
    boost = [1.0] * len(instance.jobs)

    def run(k: float) -> tuple[Schedule, tuple[int, ...]]:
        schedule = dispatch(instance, Rule.ATC, k, boost)
        return schedule, evaluate(instance, schedule, reference).key(objective)

    best, best_key = run(lookahead)
    costs = _costs(instance, best)
    runs, budget = 1, int(params.time_limit * RUNS_PER_UNIT)
    while sum(costs) > 0:
        if params.deterministic:
            if runs >= budget:
                break
        elif (time.monotonic() - started) * (runs + 1) / runs > params.time_limit:
            break  # another run (as long as the average one) would overshoot the limit
        runs += 1
        k, job, was = lookahead, -1, 0.0
        if rng.random() < LOOKAHEAD_SHARE:
            k = lookahead * math.exp(rng.uniform(-LOOKAHEAD_STEP, LOOKAHEAD_STEP))
        else:
            late = rng.random() < LATE_SHARE
            job = rng.choices(range(len(costs)), costs)[0] if late else rng.randrange(len(costs))
            was = boost[job]
            boost[job] *= math.exp(rng.uniform(-BOOST, BOOST))
        schedule, key = run(k)
        if key <= best_key:  # equal moves let the search drift across plateaus
            best, best_key, lookahead = schedule, key, k
            costs = _costs(instance, best)
            reporter.report("priority", key[0])
        elif job >= 0:
            boost[job] = was
    return best
