"""Offers as a pure state machine, so the makers' domain only persists what these functions
return: offered → accepted | declined (reason) | counter-offered (within bounds) | timed out,
and after a decline or a time-out the job goes to the next maker of the routing decision."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from c2m.engines.routing.decision import Ranked, RoutingDecision
from c2m.engines.routing.model import Job
from c2m.engines.routing.policy import DEFAULT_POLICY, RoutingPolicy


class OfferError(ValueError):
    """A move the offer's state does not allow, said in a sentence."""


class OfferState(enum.StrEnum):
    OFFERED = "offered"
    COUNTERED = "countered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TIMED_OUT = "timed_out"


S = OfferState

#: Who may move an offer where: the maker answers an offer; the platform (or the customer)
#: answers a counter-offer; the clock times out an unanswered offer.
MOVES: dict[OfferState, frozenset[OfferState]] = {
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED, S.COUNTERED, S.TIMED_OUT}),
    S.COUNTERED: frozenset({S.ACCEPTED, S.DECLINED}),
}
OPEN: frozenset[OfferState] = frozenset(MOVES)


@dataclass(frozen=True, slots=True)
class Offer:
    """One job offered to one maker's machine, with the terms and the bounds of a counter."""

    job_id: str
    maker_id: str
    machine_id: str
    price: int
    ready_at: float
    offered_at: float
    expires_at: float
    max_price: int
    latest_ready: float
    state: OfferState = S.OFFERED
    reason: str = ""
    answered_at: float | None = None


def make_offer(
    job: Job, ranked: Ranked, now: float, policy: RoutingPolicy = DEFAULT_POLICY
) -> Offer:
    """The offer to ``ranked``'s maker: it expires after the policy's answer time; a counter
    may raise the price by the policy's share at most and move readiness no later than still
    delivers by the due time."""
    return Offer(
        job.id,
        ranked.maker_id,
        ranked.machine_id,
        ranked.price,
        ranked.ready_at,
        now,
        now + policy.offer_hours,
        math.floor(round(ranked.price * (1 + policy.counter_max_raise), 6)),
        job.due - 24.0 * ranked.ship_days,
    )


def _check(offer: Offer, target: OfferState, at: float) -> None:
    if target not in MOVES.get(offer.state, frozenset()):
        raise OfferError(f"an offer that is {offer.state.value} cannot become {target.value}")
    if offer.state is S.OFFERED and target is not S.TIMED_OUT and at >= offer.expires_at:
        raise OfferError(f"the offer expired at hour {offer.expires_at:g}; it can only time out")


def accept(offer: Offer, at: float) -> Offer:
    """The maker takes the job on the offered terms (or the platform takes their counter)."""
    _check(offer, S.ACCEPTED, at)
    return replace(offer, state=S.ACCEPTED, answered_at=at)


def decline(offer: Offer, reason: str, at: float) -> Offer:
    """The maker says no (or the platform refuses their counter), with a reason."""
    if not reason.strip():
        raise OfferError("say why the offer is declined")
    _check(offer, S.DECLINED, at)
    return replace(offer, state=S.DECLINED, answered_at=at, reason=reason.strip())


def counter(
    offer: Offer, at: float, price: int | None = None, ready_at: float | None = None
) -> Offer:
    """The maker proposes another price or readiness, within the offer's bounds."""
    price = offer.price if price is None else price
    ready_at = offer.ready_at if ready_at is None else ready_at
    if (price, ready_at) == (offer.price, offer.ready_at):
        raise OfferError("a counter-offer changes the price or the date")
    if not 0 < price <= offer.max_price:
        raise OfferError(f"a counter-offer's price is at most {offer.max_price} (cents)")
    if ready_at > offer.latest_ready:
        raise OfferError(
            f"a counter-offer must be ready by hour {offer.latest_ready:g} to deliver on time"
        )
    _check(offer, S.COUNTERED, at)
    return replace(offer, state=S.COUNTERED, answered_at=at, price=price, ready_at=ready_at)


def time_out(offer: Offer, at: float) -> Offer:
    """Nobody answered in time."""
    if at < offer.expires_at:
        raise OfferError(f"the offer runs until hour {offer.expires_at:g}")
    _check(offer, S.TIMED_OUT, at)
    return replace(offer, state=S.TIMED_OUT, answered_at=at, reason="no answer in time")


def next_maker(decision: RoutingDecision, offers: Iterable[Offer]) -> Ranked | None:
    """The next maker to offer the job to after a decline or a time-out: the best ranked one
    not offered it yet; None when every ranked maker has had it."""
    tried: set[str] = set()
    for offer in offers:
        if offer.job_id != decision.job_id:
            continue
        if offer.state in OPEN or offer.state is S.ACCEPTED:
            raise OfferError(
                f"job {offer.job_id} is still {offer.state.value} with {offer.maker_id}"
            )
        tried.add(offer.maker_id)
    return next((r for r in decision.offers if r.maker_id not in tried), None)
