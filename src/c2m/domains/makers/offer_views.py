"""Offers and routed jobs as people read them: a maker's own offers (open first, then recent
ones with their outcome), and for the platform owner a routed job with every maker's reason."""

from __future__ import annotations

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory, Machine
from c2m.domains.makers import service
from c2m.domains.makers.models import MakerOffer, MakerProfile, RoutedJob, RoutingReason
from c2m.domains.makers.offer_schemas import JobState, MakerReason, OfferOut, RoutedJobOut
from c2m.domains.makers.schemas import BuildVolume
from c2m.domains.platform.actor import Actor
from c2m.engines.routing import OfferState
from c2m.kernel.errors import Forbidden, NotFound
from c2m.kernel.keyset import Key, Window, select_page
from c2m.kernel.money import format_amount

RECENT = 20


def my_offers(session: Session, actor: Actor) -> list[OfferOut]:
    """The maker's offers: the open ones first, then the ``RECENT`` latest answered."""
    profile = service.mine(session, actor)
    currency = service.workshop_of(session, profile).currency
    still_open = case((MakerOffer.state == "offered", 0), else_=1)
    query = _offers_of(profile).order_by(still_open, MakerOffer.offered_at.desc())
    rows = session.execute(query).all()
    open_ = [r for r in rows if r[0].state == "offered"]
    answered = [r for r in rows if r[0].state != "offered"][:RECENT]
    return [_offer_out(o, j, code, currency) for o, j, code in open_ + answered]


def page_my_offers(
    session: Session, actor: Actor, window: Window, state: OfferState | None = None
) -> list[OfferOut]:
    """One page of the maker's offers, by when each was offered; an offer changes when it is
    answered (or times out)."""
    profile = service.mine(session, actor)
    currency = service.workshop_of(session, profile).currency
    query = _offers_of(profile)
    if state is not None:
        query = query.where(MakerOffer.state == state.value)
    changed = func.coalesce(MakerOffer.answered_at, MakerOffer.offered_at)
    rows = session.execute(
        select_page(query, window, MakerOffer.offered_at, MakerOffer.id, changed)
    )
    return [_offer_out(o, j, code, currency) for o, j, code in rows]


def offer_key(offer: OfferOut) -> Key:
    """Where a walk through offers stands: an offer's time of offering never moves."""
    return Key(offer.offered_at, offer.id)


def _offers_of(profile: MakerProfile) -> Select[MakerOffer, RoutedJob, str]:
    return (
        select(MakerOffer, RoutedJob, Machine.code)
        .join(RoutedJob, RoutedJob.id == MakerOffer.job_id)
        .join(Machine, Machine.id == MakerOffer.machine_id)
        .where(MakerOffer.maker_id == profile.id)
    )


def offer_out(session: Session, offer: MakerOffer) -> OfferOut:
    job = session.get(RoutedJob, offer.job_id)
    machine = session.get(Machine, offer.machine_id)
    assert job is not None  # an offer goes with its job...
    assert machine is not None  # ...and its machine
    factory = session.get(Factory, machine.factory_id)
    assert factory is not None
    return _offer_out(offer, job, machine.code, factory.currency)


def routed_job(session: Session, actor: Actor, job_id: str) -> RoutedJobOut:
    _require_platform_owner(actor)
    job = session.get(RoutedJob, job_id)
    if job is None:
        raise NotFound("There is no such routed job.")
    return job_out(session, job)


def recent_jobs(session: Session, actor: Actor, limit: int = RECENT) -> list[RoutedJobOut]:
    _require_platform_owner(actor)
    jobs = session.scalars(select(RoutedJob).order_by(RoutedJob.created_at.desc()).limit(limit))
    return [job_out(session, job) for job in jobs]


def page_jobs(
    session: Session, actor: Actor, window: Window, state: JobState | None = None
) -> list[RoutedJob]:
    """One page of every routed job, oldest first (the platform owner)."""
    _require_platform_owner(actor)
    query = select(RoutedJob)
    if state is not None:
        query = query.where(RoutedJob.state == state)
    return list(session.scalars(select_page(query, window, RoutedJob.created_at, RoutedJob.id)))


def job_out(session: Session, job: RoutedJob) -> RoutedJobOut:
    offered = select(MakerOffer.maker_id, MakerOffer.state).where(MakerOffer.job_id == job.id)
    states = {row.maker_id: row.state for row in session.execute(offered)}
    ranked_last = case((RoutingReason.rank.is_(None), 1), else_=0)
    reasons = session.execute(
        select(RoutingReason, MakerProfile.display_name)
        .join(MakerProfile, MakerProfile.id == RoutingReason.maker_id)
        .where(RoutingReason.job_id == job.id)
        .order_by(ranked_last, RoutingReason.rank, MakerProfile.display_name)
    )
    return RoutedJobOut(
        id=job.id,
        source=job.source,
        title=job.title,
        capability=job.capability,
        material=job.material,
        colour=job.colour,
        size=_size(job),
        machine_hours=job.machine_hours,
        volume_cm3=job.volume_cm3,
        customer_country=job.customer_country,
        due_at=job.due_at,
        state=job.state,
        created_at=job.created_at,
        reasons=[
            MakerReason(
                maker_id=r.maker_id,
                display_name=name,
                rank=r.rank,
                price=r.price,
                ready_at=r.ready_at,
                reason=r.reason,
                offer_state=states.get(r.maker_id),
            )
            for r, name in reasons
        ],
    )


def _offer_out(offer: MakerOffer, job: RoutedJob, machine_code: str, currency: str) -> OfferOut:
    return OfferOut(
        id=offer.id,
        job_id=job.id,
        title=job.title,
        capability=job.capability,
        material=job.material,
        colour=job.colour,
        size=_size(job),
        machine_hours=job.machine_hours,
        machine_id=offer.machine_id,
        machine_code=machine_code,
        price=offer.price,
        price_text=format_amount(offer.price, currency),
        max_price=offer.max_price,
        ready_at=offer.ready_at,
        ship_by=offer.ship_by,
        state=offer.state,
        reason=offer.reason,
        offered_at=offer.offered_at,
        expires_at=offer.expires_at,
        answered_at=offer.answered_at,
    )


def _size(job: RoutedJob) -> BuildVolume:
    return BuildVolume(x_mm=job.size_x_mm, y_mm=job.size_y_mm, z_mm=job.size_z_mm)


def _require_platform_owner(actor: Actor) -> None:
    if not actor.is_platform_owner:
        raise Forbidden("Only the platform owner sees how jobs were routed.")
