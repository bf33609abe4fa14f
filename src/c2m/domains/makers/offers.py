"""Jobs offered to makers, one at a time, in the routing engine's order.

Routing a job stores the reason of every maker considered and offers it to the first ranked one.
A maker accepts (an order's part then becomes work in their workshop, ``workshop_orders``),
declines with a reason, or counters; a counter within the engine's bounds (a
price at most ``counter_max_raise`` higher, a ready date still on time) is accepted by the
platform at once, one outside them is refused and the offer stays open. After a decline or a
time-out (``time_out_offers``, swept by the worker) the job goes to the next ranked maker; when
none is left it is ``unplaced``. Every move is the engine's state machine (``engines.routing``);
this module only loads and stores what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.makers import records, service, workshop_orders
from c2m.domains.makers.candidates import candidates
from c2m.domains.makers.models import MakerOffer, RoutedJob, RoutingReason
from c2m.domains.makers.offer_schemas import NewRoutedJob, OfferCounter
from c2m.domains.makers.routing_input import job_of, machine_ids, maker_of
from c2m.domains.platform.actor import Actor
from c2m.engines import routing
from c2m.engines.routing import Offer, OfferError, OfferState, Ranked, RoutingDecision, ScoreParts
from c2m.engines.routing.clock import hours_at, moment_at
from c2m.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound

OFFERED, ACCEPTED, UNPLACED = "offered", "accepted", "unplaced"
#: How far ahead a job may be due: makers' calendars are read up to the due date, and a job
#: due later is better routed nearer the time, when queues are known.
MAX_LEAD = timedelta(days=90)


def create_job(session: Session, actor: Actor, data: NewRoutedJob, now: datetime) -> RoutedJob:
    """The platform owner routes a part to makers."""
    if not actor.is_platform_owner:
        raise Forbidden("Only the platform owner routes jobs to makers.")
    if data.due_at <= now:
        raise InvalidInput("The due date has passed; give one in the future.")
    if data.due_at > now + MAX_LEAD:
        raise InvalidInput("A job due more than 90 days ahead is routed nearer the time.")
    job = RoutedJob(
        source=data.source,
        title=data.title,
        capability=data.capability,
        material=data.material,
        colour=data.colour,
        size_x_mm=data.size.x_mm,
        size_y_mm=data.size.y_mm,
        size_z_mm=data.size.z_mm,
        tolerance_mm=data.tolerance_mm,
        machine_hours=data.machine_hours,
        volume_cm3=data.volume_cm3,
        customer_country=data.customer_country,
        due_at=data.due_at,
        state=OFFERED,
        created_by=actor.user_id,
    )
    session.add(job)
    session.flush()
    route_job(session, job, now)
    return job


def route_job(session: Session, job: RoutedJob, now: datetime) -> None:
    """Route ``job`` across every maker, store each one's reason, offer it to the first."""
    snapshots = candidates(session)
    scores = records.scores(session, [s.maker_id for s in snapshots], now)
    recent = records.recent_offers(session, now)
    makers = [
        maker_of(s, scores[s.maker_id], recent.get(s.maker_id, 0), now, job.due_at)
        for s in snapshots
    ]
    decision = routing.route(job_of(job, now), makers, now=hours_at(now))
    ids = machine_ids(snapshots)
    for ranked in decision.offers:
        session.add(_ranked_row(job.id, ranked, ids[ranked.maker_id, ranked.machine_id]))
    for rejected in decision.rejected:
        session.add(
            RoutingReason(job_id=job.id, maker_id=rejected.maker_id, reason=rejected.reason)
        )
    session.flush()
    _offer_next(session, job, _decision(session, job.id), [], now)


def accept_offer(session: Session, actor: Actor, offer_id: str, now: datetime) -> MakerOffer:
    row = _my_open_offer(session, actor, offer_id)
    _store(row, _moved(lambda: routing.accept(_engine_offer(row), hours_at(now))))
    _taken(session, row)
    return row


def decline_offer(
    session: Session, actor: Actor, offer_id: str, reason: str, now: datetime
) -> MakerOffer:
    row = _my_open_offer(session, actor, offer_id)
    _store(row, _moved(lambda: routing.decline(_engine_offer(row), reason, hours_at(now))))
    _pass_on(session, row, now)
    return row


def counter_offer(
    session: Session, actor: Actor, offer_id: str, data: OfferCounter, now: datetime
) -> MakerOffer:
    """A counter within the bounds is taken by the platform at once; outside them it is refused
    with the bound it broke, and the offer stays as it was."""
    row = _my_open_offer(session, actor, offer_id)
    at = hours_at(now)
    offer = _engine_offer(row)
    if at >= offer.expires_at:
        raise Conflict("The offer has expired; it can no longer be countered.")
    ready = None if data.ready_at is None else hours_at(data.ready_at)
    try:
        countered = routing.counter(offer, at, price=data.price, ready_at=ready)
    except OfferError as error:
        raise InvalidInput(f"Counter-offer refused: {error}.") from error
    taken = routing.accept(countered, at)
    was = f"{offer.price} at hour {offer.ready_at:.1f}"
    _store(row, taken)
    row.reason = f"countered ({was} → {taken.price} at hour {taken.ready_at:.1f}), within bounds"
    _taken(session, row)
    return row


def _taken(session: Session, row: MakerOffer) -> None:
    """The maker took the job: an order's part becomes work in their workshop."""
    job = _job(session, row.job_id)
    job.state = ACCEPTED
    workshop_orders.take_on(session, job, row.maker_id)


def time_out_offers(session: Session, now: datetime) -> int:
    """Time out every offer left unanswered past its deadline and pass its job on; the count."""
    due = session.scalars(
        select(MakerOffer)
        .where(MakerOffer.state == OfferState.OFFERED.value, MakerOffer.expires_at <= now)
        .order_by(MakerOffer.expires_at)
        .with_for_update(skip_locked=True)
    ).all()
    for row in due:
        _store(row, routing.time_out(_engine_offer(row), hours_at(now)))
        _pass_on(session, row, now)
    return len(due)


def _pass_on(session: Session, answered: MakerOffer, now: datetime) -> None:
    """After a decline or a time-out: note it beside the maker's reason, offer to the next."""
    reason = session.get(RoutingReason, (answered.job_id, answered.maker_id))
    if reason is not None:
        reason.reason = f"{reason.reason}; {answered.state.replace('_', ' ')}: {answered.reason}"
    job = _job(session, answered.job_id)
    made = session.scalars(select(MakerOffer).where(MakerOffer.job_id == job.id)).all()
    _offer_next(session, job, _decision(session, job.id), [_engine_offer(o) for o in made], now)


def _offer_next(
    session: Session,
    job: RoutedJob,
    decision: RoutingDecision,
    made: list[Offer],
    now: datetime,
) -> None:
    ranked = routing.next_maker(decision, made)
    if ranked is None:
        job.state = UNPLACED
        return
    offer = routing.make_offer(job_of(job, now), ranked, hours_at(now))
    row = MakerOffer(job_id=job.id, maker_id=offer.maker_id, machine_id=offer.machine_id)
    _store(row, offer)
    session.add(row)
    job.state = OFFERED
    session.flush()


def _decision(session: Session, job_id: str) -> RoutingDecision:
    """The stored routing decision (the ranked makers only: the filtered ones get no offer)."""
    rows = session.scalars(
        select(RoutingReason)
        .where(RoutingReason.job_id == job_id, RoutingReason.rank.is_not(None))
        .order_by(RoutingReason.rank)
    )
    return RoutingDecision(job_id, tuple(_ranked(row) for row in rows), ())


def _ranked_row(job_id: str, ranked: Ranked, machine_id: str) -> RoutingReason:
    parts = ranked.parts
    return RoutingReason(
        job_id=job_id,
        maker_id=ranked.maker_id,
        rank=ranked.rank,
        machine_id=machine_id,
        price=ranked.price,
        ready_at=moment_at(ranked.ready_at),
        ship_days=ranked.ship_days,
        score=[ranked.score, parts.price, parts.shipping, parts.maker],
        reason=ranked.reason,
    )


def _ranked(row: RoutingReason) -> Ranked:
    assert row.rank is not None
    assert row.machine_id is not None
    assert row.price is not None
    assert row.ready_at is not None
    assert row.score is not None
    score, price, shipping, maker = row.score
    return Ranked(
        maker_id=row.maker_id,
        machine_id=row.machine_id,
        rank=row.rank,
        price=row.price,
        ready_at=hours_at(row.ready_at),
        ship_days=row.ship_days or 0,
        score=score,
        parts=ScoreParts(price, shipping, maker),
        reason=row.reason,
    )


def _engine_offer(row: MakerOffer) -> Offer:
    return Offer(
        job_id=row.job_id,
        maker_id=row.maker_id,
        machine_id=row.machine_id,
        price=row.price,
        ready_at=hours_at(row.ready_at),
        offered_at=hours_at(row.offered_at),
        expires_at=hours_at(row.expires_at),
        max_price=row.max_price,
        latest_ready=hours_at(row.ship_by),
        state=OfferState(row.state),
        reason=row.reason,
        answered_at=None if row.answered_at is None else hours_at(row.answered_at),
    )


def _store(row: MakerOffer, offer: Offer) -> None:
    row.price = offer.price
    row.ready_at = moment_at(offer.ready_at)
    row.ship_by = moment_at(offer.latest_ready)
    row.max_price = offer.max_price
    row.state = offer.state.value
    row.reason = offer.reason
    if row.offered_at is None:  # once: offers are listed by it, and hours round off microseconds
        row.offered_at = moment_at(offer.offered_at)
    row.expires_at = moment_at(offer.expires_at)
    row.answered_at = None if offer.answered_at is None else moment_at(offer.answered_at)


def _moved(move: Callable[[], Offer]) -> Offer:
    """The engine's move, or a 409 saying why the offer's state does not allow it."""
    try:
        return move()
    except OfferError as error:
        raise Conflict(f"{str(error)[0].upper()}{str(error)[1:]}.") from error


def _my_open_offer(session: Session, actor: Actor, offer_id: str) -> MakerOffer:
    profile = service.mine(session, actor)
    row = session.scalar(
        select(MakerOffer)
        .where(MakerOffer.id == offer_id, MakerOffer.maker_id == profile.id)
        .with_for_update()
    )
    if row is None:
        raise NotFound("There is no such offer among yours.")
    return row


def _job(session: Session, job_id: str) -> RoutedJob:
    job = session.get(RoutedJob, job_id)
    assert job is not None  # an offer goes with its job
    return job
