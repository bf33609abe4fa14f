"""Offers move only as the state machine allows, counters stay within the platform's bounds,
and after a decline or a time-out the job goes to the next ranked maker, once each."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from routing_support import job, machine, maker

from c2m.engines.routing import (
    Offer,
    OfferError,
    OfferState,
    RoutingDecision,
    accept,
    counter,
    decline,
    make_offer,
    next_maker,
    route,
    time_out,
)
from c2m.engines.routing.offers import MOVES

JOB = job(due=96.0)
DECISION = route(
    JOB,
    [maker("a", machine(price_per_hour=100)), maker("b"), maker("c", machine(price_per_hour=900))],
)


def first_offer() -> Offer:
    return make_offer(JOB, DECISION.offers[0], now=10.0)


def test_an_offer_carries_its_terms_its_deadline_and_the_bounds_of_a_counter() -> None:
    offer = first_offer()
    assert (offer.maker_id, offer.price, offer.state) == ("a", 200, OfferState.OFFERED)
    assert offer.expires_at == 14.0  # four hours to answer
    assert offer.max_price == 230  # at most 15 % more
    assert offer.latest_ready == 96.0 - 24.0  # still delivers on time after a day's shipping


def test_the_maker_accepts_declines_or_counters_before_the_deadline() -> None:
    assert accept(first_offer(), 11.0).state is OfferState.ACCEPTED
    declined = decline(first_offer(), "  nozzle clogged ", 11.0)
    assert (declined.state, declined.reason, declined.answered_at) == (
        OfferState.DECLINED,
        "nozzle clogged",
        11.0,
    )
    countered = counter(first_offer(), 11.0, price=220, ready_at=60.0)
    assert (countered.state, countered.price, countered.ready_at) == (
        OfferState.COUNTERED,
        220,
        60.0,
    )
    assert accept(countered, 12.0).state is OfferState.ACCEPTED
    assert decline(countered, "too dear", 12.0).state is OfferState.DECLINED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": 231}, "at most 230"),
        ({"price": 0}, "at most 230"),
        ({"ready_at": 73.0}, "ready by hour 72"),
        ({}, "changes the price or the date"),
    ],
)
def test_a_counter_outside_the_bounds_is_refused(changes: dict[str, float], message: str) -> None:
    with pytest.raises(OfferError, match=message):
        counter(first_offer(), 11.0, **changes)  # type: ignore[arg-type]


def test_time_runs_out_only_at_the_deadline_and_then_only_time_out_is_left() -> None:
    with pytest.raises(OfferError, match="runs until hour 14"):
        time_out(first_offer(), 13.9)
    with pytest.raises(OfferError, match="expired"):
        accept(first_offer(), 14.0)
    assert time_out(first_offer(), 14.0).reason == "no answer in time"
    with pytest.raises(OfferError, match="say why"):
        decline(first_offer(), " ", 11.0)


def test_closed_offers_do_not_move() -> None:
    for closed in (accept(first_offer(), 11.0), time_out(first_offer(), 20.0)):
        with pytest.raises(OfferError, match="cannot become"):
            decline(closed, "changed my mind", 12.0)
    assert set(MOVES) == {OfferState.OFFERED, OfferState.COUNTERED}


def test_after_a_decline_or_time_out_the_next_maker_gets_the_job() -> None:
    first = decline(first_offer(), "busy", 11.0)
    second_ranked = next_maker(DECISION, [first])
    assert second_ranked is not None
    second = time_out(make_offer(JOB, second_ranked, 11.0), 15.0)
    third_ranked = next_maker(DECISION, [first, second])
    assert third_ranked is not None
    assert [first.maker_id, second.maker_id, third_ranked.maker_id] == ["a", "b", "c"]
    third = decline(make_offer(JOB, third_ranked, 15.0), "busy", 16.0)
    assert next_maker(DECISION, [first, second, third]) is None


def test_no_next_maker_while_the_job_is_still_offered_or_taken() -> None:
    for live in (first_offer(), accept(first_offer(), 11.0)):
        with pytest.raises(OfferError, match="still"):
            next_maker(DECISION, [live])


def answered(offer: Offer, how: str) -> Offer:
    if how == "decline":
        return decline(offer, "busy", offer.offered_at + 1)
    return time_out(offer, offer.expires_at)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(("decline", "time_out")), min_size=3, max_size=3))
def test_every_ranked_maker_is_offered_the_job_once_in_rank_order(answers: list[str]) -> None:
    decision: RoutingDecision = DECISION
    offers: list[Offer] = []
    while (ranked := next_maker(decision, offers)) is not None:
        offers.append(answered(make_offer(JOB, ranked, 10.0 * len(offers)), answers[len(offers)]))
    assert [o.maker_id for o in offers] == [r.maker_id for r in decision.offers]
