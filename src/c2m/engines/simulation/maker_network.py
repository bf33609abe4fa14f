"""A simulated maker network: independent makers answer offers (or decline, or let them time
out), print in their open hours, sometimes fail, and ship; every job is routed by the routing
engine and re-offered until it is made. It measures the share of jobs delivered on time.

Times are hours here (the routing engine's unit), not the plant twin's seconds.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from dataclasses import dataclass, replace

import simpy

from c2m.engines.routing import (
    Job,
    JobOutcome,
    Maker,
    MakerScore,
    Offer,
    OfferAnswer,
    OfferState,
    Ranked,
    RoutingPolicy,
    accept,
    decline,
    make_offer,
    next_maker,
    route,
    score_maker,
    time_out,
)
from c2m.engines.simulation.maker_population import (
    UNRELIABLE,
    NetworkSpec,
    SimMaker,
    arrivals,
    population,
)

RETRY_HOURS = 2.0
"""A job no maker can take now is routed again this much later (queues drain)."""


@dataclass(frozen=True, slots=True)
class NetworkReport:
    """What a simulated week gave: jobs delivered on time, late or not at all, and the offers
    and failures on the way; ``unreliable_work`` is the share of deliveries by unreliable makers."""

    jobs: int
    on_time: int
    late: int
    undelivered: int
    offers: int
    declined: int
    timed_out: int
    failed: int
    unreliable_work: float

    @property
    def on_time_share(self) -> float:
        return self.on_time / self.jobs if self.jobs else 1.0


class _MakerState:
    """One maker during the run: booked hours per machine, their record and its score."""

    def __init__(self, env: simpy.Environment, maker: SimMaker) -> None:
        self.maker = maker
        self.printers = {m.id: simpy.Resource(env) for m in maker.machines}
        self.booked = dict.fromkeys(self.printers, 0.0)
        self.outcomes: list[JobOutcome] = []
        self.answers: list[OfferAnswer] = []
        self.offers = 0
        self.delivered = maker.jobs_done
        self.score: MakerScore = score_maker((), (), 0.0)
        self._snapshot: Maker | None = None

    def snapshot(self) -> Maker:
        """The maker as routing sees it now (cached until something about them changes)."""
        if self._snapshot is None:
            machines = tuple(replace(m, queue_hours=self.booked[m.id]) for m in self.maker.machines)
            self._snapshot = Maker(
                self.maker.id,
                machines,
                self.maker.place,
                self.score.value,
                jobs_done=self.delivered,
                capability_scores=self.score.capabilities,
                recent_offers=self.offers,
            )
        return self._snapshot

    def book(self, machine_id: str, hours: float) -> None:
        """Add (or with negative hours, release) work on a machine."""
        self.booked[machine_id] = max(0.0, self.booked[machine_id] + hours)
        self._snapshot = None

    def changed(self, now: float, rescore: bool = False) -> None:
        if rescore:
            self.score = score_maker(self.outcomes, self.answers, now)
        self._snapshot = None


class MakerNetwork:
    """The makers of ``spec`` and its jobs in one SimPy environment, routed by ``policy``."""

    def __init__(self, spec: NetworkSpec, policy: RoutingPolicy | None = None) -> None:
        self.spec = spec
        self.policy = policy or RoutingPolicy()
        self.env = simpy.Environment()
        self.rng = random.Random(spec.seed + 2)  # noqa: S311 (simulation, not secrecy)
        self.makers = {m.id: _MakerState(self.env, m) for m in population(spec)}
        self.counts = dict.fromkeys(("on_time", "late", "offers", "declined", "timed_out"), 0)
        self.failed = 0
        self.by_unreliable = 0

    def run(self) -> NetworkReport:
        jobs = arrivals(self.spec)
        for job in jobs:
            self.env.process(self._job(job))
        self.env.run()
        delivered = self.counts["on_time"] + self.counts["late"]
        return NetworkReport(
            jobs=len(jobs),
            on_time=self.counts["on_time"],
            late=self.counts["late"],
            undelivered=len(jobs) - delivered,
            offers=self.counts["offers"],
            declined=self.counts["declined"],
            timed_out=self.counts["timed_out"],
            failed=self.failed,
            unreliable_work=self.by_unreliable / delivered if delivered else 0.0,
        )

    def _job(self, job: Job) -> Generator[simpy.Event, object, None]:
        yield self.env.timeout(job.earliest_start - self.env.now)
        failed_by: set[str] = set()
        while self.env.now < job.due:
            makers = [s.snapshot() for k, s in self.makers.items() if k not in failed_by]
            decision = route(job, makers, self.policy, now=self.env.now)
            offers: list[Offer] = []
            taken: Ranked | None = None
            while taken is None and (ranked := next_maker(decision, offers)) is not None:
                offer = yield from self._offer(job, ranked)
                offers.append(offer)
                taken = ranked if offer.state is OfferState.ACCEPTED else None
            if taken is None:
                yield self.env.timeout(RETRY_HOURS)
            elif (yield from self._make(job, taken)):
                return
            else:
                failed_by.add(taken.maker_id)

    def _offer(self, job: Job, ranked: Ranked) -> Generator[simpy.Event, object, Offer]:
        """The maker's answer, drawn from their behaviour; the record and score follow it.
        An open offer holds its hours on the machine, so jobs routed meanwhile see them."""
        state = self.makers[ranked.maker_id]
        behaviour = state.maker.behaviour
        offer = make_offer(job, ranked, self.env.now, self.policy)
        self.counts["offers"] += 1
        state.offers += 1
        state.book(ranked.machine_id, job.machine_hours)
        answer_after = self.rng.expovariate(1 / behaviour.answer_hours)
        if self.rng.random() < behaviour.timeout_rate or answer_after >= self.policy.offer_hours:
            yield self.env.timeout(self.policy.offer_hours)
            offer = time_out(offer, self.env.now)
            self.counts["timed_out"] += 1
        else:
            yield self.env.timeout(answer_after)
            if self.rng.random() < behaviour.decline_rate:
                offer = decline(offer, "too busy this week", self.env.now)
                self.counts["declined"] += 1
            else:
                offer = accept(offer, self.env.now)
        if offer.state is not OfferState.ACCEPTED:
            state.book(ranked.machine_id, -job.machine_hours)
        state.answers.append(
            OfferAnswer(self.env.now, offer.state, self.env.now - offer.offered_at)
        )
        state.changed(self.env.now, rescore=True)
        return offer

    def _make(self, job: Job, ranked: Ranked) -> Generator[simpy.Event, object, bool]:
        """Print in the machine's open hours after its queue, then ship; False if it failed."""
        state = self.makers[ranked.maker_id]
        machine = next(m for m in state.maker.machines if m.id == ranked.machine_id)
        with state.printers[machine.id].request() as turn:
            yield turn
            start = max(self.env.now, job.earliest_start)
            finish = machine.calendar.finish(start, job.machine_hours, float("inf"))
            yield self.env.timeout((finish or start) - self.env.now)
        state.book(machine.id, -job.machine_hours)
        failed = self.rng.random() < state.maker.behaviour.failure_rate
        if not failed:
            yield self.env.timeout(24.0 * ranked.ship_days)
        on_time = not failed and self.env.now <= job.due
        state.outcomes.append(
            JobOutcome(job.capability, self.env.now, failed, on_time, qc_passed=not failed)
        )
        if failed:
            self.failed += 1
        else:
            state.delivered += 1
            self.counts["on_time" if on_time else "late"] += 1
            self.by_unreliable += state.maker.behaviour == UNRELIABLE
        state.changed(self.env.now, rescore=True)
        return not failed


def simulate_network(spec: NetworkSpec, policy: RoutingPolicy | None = None) -> NetworkReport:
    """Run the network of ``spec`` until every job is delivered or past its due time."""
    return MakerNetwork(spec, policy).run()
