"""``route``: which makers may make a job, in which order the job is offered to them, and why."""

from __future__ import annotations

from collections.abc import Iterable

from c2m.engines.routing.decision import Rejected, RoutingDecision
from c2m.engines.routing.filters import Candidate, screen
from c2m.engines.routing.model import Job, Maker
from c2m.engines.routing.policy import DEFAULT_POLICY, RoutingPolicy
from c2m.engines.routing.scoring import best_machine, rank


def route(
    job: Job,
    makers: Iterable[Maker],
    policy: RoutingPolicy = DEFAULT_POLICY,
    now: float = 0.0,
) -> RoutingDecision:
    """Hard filters on every maker, then the survivors ranked by the explainable score.

    ``now`` is the current time (hours since the week reference): queued work starts then."""
    best: list[Candidate] = []
    rejected: list[Rejected] = []
    for maker in makers:
        found, refusal = screen(job, maker, policy, now)
        if found:
            best.append(best_machine(found))
        else:
            rejected.append(Rejected(maker.id, refusal or ""))
    return RoutingDecision(job.id, rank(job.id, best, policy), tuple(rejected))
