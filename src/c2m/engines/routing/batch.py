"""Batch assignment: when many jobs wait at once they are placed together as one min-cost
flow (OR-Tools), so a cheap machine goes to the job that gains most from it, never beyond a
machine's free slots; greedy one-by-one placement is kept as the baseline it is measured by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from c2m.engines.routing.filters import Candidate, screen
from c2m.engines.routing.model import Job, Maker
from c2m.engines.routing.policy import DEFAULT_POLICY, RoutingPolicy

MachineKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Assigned:
    job_id: str
    maker_id: str
    machine_id: str
    price: int
    cost: int


@dataclass(frozen=True, slots=True)
class Unassigned:
    job_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class BatchAssignment:
    """Jobs placed (each on one machine) and jobs left waiting, with the reason."""

    assigned: tuple[Assigned, ...]
    unassigned: tuple[Unassigned, ...]

    @property
    def total_cost(self) -> int:
        return sum(a.cost for a in self.assigned)


def batch_cost(candidate: Candidate, policy: RoutingPolicy) -> int:
    """What placing a job there costs the platform, in cents: the price, raised by up to the
    Maker Score's weight for a maker scored below 1, plus the policy's value of a shipping day."""
    trust = 1 + policy.maker_weight * (1 - candidate.maker.score)
    return round(candidate.price * trust) + policy.shipping_day_cents * candidate.ship_days


def _options(
    jobs: Sequence[Job], makers: Sequence[Maker], policy: RoutingPolicy, now: float
) -> list[list[Candidate]]:
    return [[c for maker in makers for c in screen(job, maker, policy, now)[0]] for job in jobs]


def _none_able(considered: int) -> str:
    return f"no maker passes the hard filters ({considered} makers considered)"


def _full(able: int) -> str:
    return f"every able machine ({able}) is full in this batch"


def _result(
    jobs: Sequence[Job],
    options: list[list[Candidate]],
    chosen: dict[int, Candidate],
    makers: int,
    policy: RoutingPolicy,
) -> BatchAssignment:
    assigned = tuple(
        Assigned(jobs[j].id, c.maker.id, c.machine.id, c.price, batch_cost(c, policy))
        for j, c in sorted(chosen.items())
    )
    unassigned = tuple(
        Unassigned(job.id, _full(len(options[j])) if options[j] else _none_able(makers))
        for j, job in enumerate(jobs)
        if j not in chosen
    )
    return BatchAssignment(assigned, unassigned)


def _min_cost_choice(options: list[list[Candidate]], policy: RoutingPolicy) -> dict[int, Candidate]:
    """Job index → machine, from a min-cost flow: source supply at each job, one arc per able
    machine (capacity 1), machine to sink (capacity its slots), and job to sink (waiting)."""
    jobs = len(options)
    node: dict[MachineKey, int] = {}
    slots: list[int] = []
    arcs: list[tuple[int, int, int, Candidate]] = []
    for j, found in enumerate(options):
        for c in found:
            key = (c.maker.id, c.machine.id)
            if key not in node:
                node[key] = jobs + len(slots)
                slots.append(c.machine.slots)
            arcs.append((j, node[key], batch_cost(c, policy), c))
    sink = jobs + len(slots)
    # Leaving a job waiting costs more than any reshuffle of the others could save, so the
    # flow places as many jobs as possible first and only then minimises the cost.
    waiting = (max((a[2] for a in arcs), default=0) + 1) * (jobs + 1)
    starts = [a[0] for a in arcs] + list(range(jobs, sink)) + list(range(jobs))
    ends = [a[1] for a in arcs] + [sink] * (len(slots) + jobs)
    capacities = [1] * len(arcs) + slots + [1] * jobs
    costs = [a[2] for a in arcs] + [0] * len(slots) + [waiting] * jobs
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(starts, dtype=np.int32),
        np.array(ends, dtype=np.int32),
        np.array(capacities, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    supplies = [1] * jobs + [0] * len(slots) + [-jobs]
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), np.array(supplies, dtype=np.int64))
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("the batch's flow network has no optimal solution")
    used = flow.flows(np.arange(len(arcs), dtype=np.int32))
    return {arcs[a][0]: arcs[a][3] for a in np.flatnonzero(used)}


def assign_batch(
    jobs: Sequence[Job],
    makers: Sequence[Maker],
    policy: RoutingPolicy = DEFAULT_POLICY,
    now: float = 0.0,
) -> BatchAssignment:
    """As many jobs as the machines' slots allow, at the least total cost among those."""
    options = _options(jobs, makers, policy, now)
    return _result(jobs, options, _min_cost_choice(options, policy), len(makers), policy)


def assign_greedily(
    jobs: Sequence[Job],
    makers: Sequence[Maker],
    policy: RoutingPolicy = DEFAULT_POLICY,
    now: float = 0.0,
) -> BatchAssignment:
    """The baseline: jobs one by one, earliest due first, each to its cheapest machine with a
    free slot left."""
    options = _options(jobs, makers, policy, now)
    left: dict[MachineKey, int] = {}
    chosen: dict[int, Candidate] = {}
    for j in sorted(range(len(jobs)), key=lambda j: (jobs[j].due, jobs[j].id)):
        free = [
            c
            for c in options[j]
            if left.setdefault((c.maker.id, c.machine.id), c.machine.slots) > 0
        ]
        if free:
            pick = min(free, key=lambda c: (batch_cost(c, policy), c.maker.id, c.machine.id))
            left[(pick.maker.id, pick.machine.id)] -= 1
            chosen[j] = pick
    return _result(jobs, options, chosen, len(makers), policy)
