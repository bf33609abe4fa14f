"""The simulated maker network: jobs routed across independent makers with declines,
time-outs, failures and re-offers are accounted for, and routing learns to avoid the
unreliable makers."""

from __future__ import annotations

from c2m.engines.simulation import NetworkSpec, simulate_network
from c2m.engines.simulation.maker_population import UNRELIABLE, arrivals, population

SMALL = NetworkSpec(makers=80, unreliable=0.25, jobs=300, hours=72.0, seed=3)


def test_every_job_ends_delivered_late_or_undelivered() -> None:
    report = simulate_network(SMALL)
    assert report.jobs == 300
    assert report.on_time + report.late + report.undelivered == report.jobs
    assert report.offers >= report.on_time + report.late + report.failed
    assert report.declined + report.timed_out > 0, "makers said no or kept quiet sometimes"
    assert report.on_time_share >= 0.9


def test_unreliable_makers_get_less_than_their_share_of_the_work() -> None:
    """A quarter of the makers are unreliable; after their declines, silences and failures
    their Maker Score drops and they deliver well under a quarter of the parts."""
    report = simulate_network(SMALL)
    assert report.unreliable_work < 0.25 / 2


def test_the_same_seed_gives_the_same_week() -> None:
    assert simulate_network(SMALL) == simulate_network(SMALL)


def test_the_population_follows_its_spec() -> None:
    makers = population(SMALL)
    assert len(makers) == 80
    assert sum(m.behaviour == UNRELIABLE for m in makers) == 20
    assert all(1 <= len(m.machines) <= SMALL.max_printers for m in makers)
    jobs = arrivals(SMALL)
    assert len(jobs) == 300
    assert all(0 <= j.earliest_start <= 72.0 and j.due - j.earliest_start >= 72.0 for j in jobs)
