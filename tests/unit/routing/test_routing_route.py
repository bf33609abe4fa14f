"""route: every hard filter leaves a maker out with its reason, survivors are ranked by the
published score and explained, and no job is ever offered to a maker failing a filter."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from routing_support import (
    LISBON,
    MUNICH,
    crowds,
    job,
    jobs,
    machine,
    maker,
)

from c2m.engines.routing import Calendar, Job, Maker, SizeClass, route
from c2m.engines.routing.policy import DEFAULT_POLICY
from c2m.engines.routing.shipping import ship_days

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reason_for(candidate: Maker, the_job: Job | None = None) -> str:
    decision = route(the_job or job(), [candidate])
    assert not decision.offers
    return decision.reasons()[candidate.id]


def test_each_hard_filter_says_why_in_words() -> None:
    cases = {
        "suspended": maker(suspended=True),
        "lacks the certificates iso-9001": maker(),
        "on probation (1 of 3 jobs done): small parts only, this one is medium": maker(jobs_done=1),
        "fdm-print score 0.40 is below 0.50": maker(capability_scores={"fdm-print": 0.4}),
        "m1 does not do fdm-print": maker("a", machine(capabilities=frozenset({"sla-print"}))),
        "m1 has PETG loaded, not PLA": maker("a", machine(materials=frozenset({"PETG"}))),
        "m1 has white loaded, not black": maker("a", machine(colours=frozenset({"white"}))),
        "m1 builds up to 90 x 90 x 90 mm, the part is 100 x 50 x 20 mm": maker(
            "a", machine(build_mm=(90.0, 90.0, 90.0))
        ),
        "m1 holds ±0.5 mm, the part needs ±0.3 mm": maker("a", machine(tolerance_mm=0.5)),
        "m1 no free time before the due date (80.0 h queued": maker("a", machine(queue_hours=80.0)),
    }
    needs = {"lacks the certificates iso-9001": frozenset({"iso-9001"})}
    for expected, candidate in cases.items():
        the_job = job(certificates=needs.get(expected, frozenset()))
        if expected.startswith("on probation"):
            the_job = job(size=SizeClass.MEDIUM)
        assert expected in reason_for(candidate, the_job)


def test_a_part_fits_turned_on_its_side() -> None:
    tall = maker("a", machine(build_mm=(60.0, 60.0, 300.0)))
    assert route(job(box_mm=(250.0, 40.0, 10.0)), [tall]).offers


def test_calendar_counts_only_open_hours_and_shipping() -> None:
    weekends = Calendar(((120.0, 168.0),))
    home = maker("a", machine(calendar=weekends))
    assert "no free time" in reason_for(home, job(due=96.0))  # Friday: nothing open before
    offer = route(job(due=150.0), [home]).offers[0]
    assert offer.ready_at == 122.0  # Saturday 02:00, after two open hours
    far = maker("far", place=LISBON)
    days = ship_days(LISBON, job().destination)
    assert days == 4
    assert "4 days of shipping" in reason_for(far, job(due=90.0))


def test_ranked_makers_are_explained_and_ordered_by_the_score() -> None:
    cheap = maker("cheap", machine(price_per_hour=200), score=0.5)
    good = maker("good", machine(price_per_hour=240), score=1.0)
    far = maker("far", machine(price_per_hour=200), place=MUNICH, score=0.5)
    decision = route(job(), [far, good, cheap])
    assert [o.maker_id for o in decision.offers] == ["good", "cheap", "far"]
    first, second, third = decision.offers
    assert first.reason.startswith("ranked 1st: price €4.80 (+20%), ships in 1 day, Maker Score 1")
    assert second.reason.startswith("ranked 2nd: price €4.00 (cheapest), ships in 1 day")
    assert third.reason.startswith("ranked 3rd: price €4.00 (cheapest), ships in 2 days")
    assert (first.parts.price, first.parts.shipping, first.parts.maker) == (4 / 4.8, 1.0, 1.0)
    weights = DEFAULT_POLICY
    assert first.score == weights.price_weight * 4 / 4.8 + weights.shipping_weight + 0.3


def test_a_maker_is_offered_on_their_cheapest_fitting_machine() -> None:
    two = maker(
        "a",
        machine("dear", price_per_hour=500),
        machine("cheap", price_per_hour=100),
        machine("wrong", price_per_hour=1, materials=frozenset({"PETG"})),
    )
    assert route(job(), [two]).offers[0].machine_id == "cheap"


def test_price_per_cm3_and_per_hour_add_up() -> None:
    both = maker("a", machine(price_per_hour=300, price_per_cm3=5))
    assert route(job(), [both]).offers[0].price == 2 * 300 + 30 * 5


def obeys_every_filter(the_job: Job, candidate: Maker, machine_id: str, ready_at: float) -> bool:
    """The filters restated from docs/makers.md, independently of the engine's code."""
    chosen = next(m for m in candidate.machines if m.id == machine_id)
    trust = candidate.capability_scores.get(the_job.capability, 1.0)
    days = ship_days(candidate.place, the_job.destination)
    return (
        not candidate.suspended
        and the_job.certificates <= candidate.certificates
        and (candidate.jobs_done >= 3 or the_job.size is SizeClass.SMALL)
        and trust >= 0.5
        and the_job.capability in chosen.capabilities
        and the_job.material in chosen.materials
        and the_job.colour in chosen.colours
        and all(
            p <= b for p, b in zip(sorted(the_job.box_mm), sorted(chosen.build_mm), strict=True)
        )
        and chosen.tolerance_mm <= the_job.tolerance_mm
        and ready_at >= the_job.machine_hours + max(0.0, the_job.earliest_start)
        and ready_at + 24 * days <= the_job.due
    )


@PROPERTY
@given(jobs(), crowds)
def test_no_job_is_offered_to_a_maker_failing_a_hard_filter(
    the_job: Job, crowd: list[Maker]
) -> None:
    decision = route(the_job, crowd)
    by_id = {m.id: m for m in crowd}
    for offer in decision.offers:
        assert obeys_every_filter(the_job, by_id[offer.maker_id], offer.machine_id, offer.ready_at)


@PROPERTY
@given(jobs(), crowds)
def test_every_maker_considered_gets_exactly_one_reason(the_job: Job, crowd: list[Maker]) -> None:
    decision = route(the_job, crowd)
    named = [o.maker_id for o in decision.offers] + [r.maker_id for r in decision.rejected]
    assert sorted(named) == sorted(m.id for m in crowd)
    assert all(reason.strip() for reason in decision.reasons().values())
    assert [o.rank for o in decision.offers] == list(range(1, len(decision.offers) + 1))
    scores = [o.score for o in decision.offers]
    assert all(b - a <= DEFAULT_POLICY.tie_tolerance for a, b in pairwise(scores))


@PROPERTY
@given(jobs(), crowds)
def test_a_maker_passing_the_filters_is_never_left_out(the_job: Job, crowd: list[Maker]) -> None:
    """The converse: whoever can make it is ranked (time taken out: always open, due late)."""
    relaxed = replace(the_job, due=10_000.0)
    crowd = [
        replace(m, machines=tuple(replace(x, calendar=Calendar()) for x in m.machines))
        for m in crowd
    ]
    offered = {o.maker_id for o in route(relaxed, crowd).offers}
    for candidate in crowd:
        able = any(
            obeys_every_filter(relaxed, candidate, m.id, relaxed.machine_hours + 1)
            for m in candidate.machines
        )
        assert (candidate.id in offered) == able
