"""A maker's life: join (a micro-enterprise and a workshop of their own), keep the profile, be
suspended and reinstated by the platform owner. The status is read from the record each time."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from c2m.domains.factory import service as factories
from c2m.domains.factory.models import AttemptStatus, Factory, JobAttempt, Machine
from c2m.domains.factory.schemas import NewFactory
from c2m.domains.makers import probation
from c2m.domains.makers.models import MakerProfile
from c2m.domains.makers.regions import countries
from c2m.domains.makers.schemas import MakerChange, MakerOut, NewMaker, StatusChange
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise, User
from c2m.domains.platform.service import create_enterprise
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, Forbidden, NotFound

NOT_A_MAKER = "You are not a maker yet: become one first (POST /api/v1/makers, or /makers/join)."
CODE_TRIES = 5


def join(session: Session, actor: Actor, data: NewMaker) -> MakerProfile:
    """Open the person's one-maker micro-enterprise and workshop; one per person. The person's
    row is locked first, so two joins at once are decided one after the other."""
    user = session.scalar(select(User).where(User.id == actor.user_id).with_for_update())
    if user is None:
        raise NotFound("There is no such person.")
    if _profile_of(session, actor.user_id) is not None:
        raise Conflict("You are a maker already; your workshop is on your dashboard (/maker).")
    code = _free_code(session, data.display_name)
    enterprise = create_enterprise(session, data.display_name, code, user)
    workshop = NewFactory(code=code, name=data.display_name, currency=data.currency)
    factory = factories.create_factory(session, Actor.of(user), enterprise.id, workshop)
    user.is_maker = True
    profile = MakerProfile(
        user_id=user.id,
        enterprise_id=enterprise.id,
        factory_id=factory.id,
        display_name=data.display_name,
        country=data.country,
        region=data.region,
        certificates=data.certificates,
    )
    session.add(profile)
    session.flush()
    return profile


def mine(session: Session, actor: Actor) -> MakerProfile:
    profile = _profile_of(session, actor.user_id)
    if profile is None:
        raise NotFound(NOT_A_MAKER)
    return profile


def change(session: Session, actor: Actor, data: MakerChange) -> MakerProfile:
    """The public name is the enterprise's and the workshop's name too, so they follow it."""
    profile = mine(session, actor)
    for field in data.model_fields_set:
        value = getattr(data, field)
        if value is not None:
            setattr(profile, field, value)
    if data.display_name is not None:
        for owned in (
            session.get(Enterprise, profile.enterprise_id),
            session.get(Factory, profile.factory_id),
        ):
            assert owned is not None  # they go with the profile
            owned.name = data.display_name
    session.flush()
    return profile


def all_makers(session: Session, actor: Actor) -> list[MakerProfile]:
    _require_platform_owner(actor)
    return list(session.scalars(select(MakerProfile).order_by(MakerProfile.display_name)))


def suspend(session: Session, actor: Actor, maker_id: str, data: StatusChange) -> MakerProfile:
    profile = _any_maker(session, actor, maker_id)
    if profile.suspended:
        raise Conflict(f"{profile.display_name} is suspended already.")
    return _set_suspended(profile, actor, True, data)


def reinstate(session: Session, actor: Actor, maker_id: str, data: StatusChange) -> MakerProfile:
    profile = _any_maker(session, actor, maker_id)
    if not profile.suspended:
        raise Conflict(f"{profile.display_name} is not suspended.")
    return _set_suspended(profile, actor, False, data)


def jobs_done(session: Session, factory_ids: Iterable[str]) -> dict[str, int]:
    """Successful jobs per workshop: operations one of its machines reported done."""
    query = (
        select(Machine.factory_id, func.count(distinct(JobAttempt.operation_id)))
        .join(JobAttempt, JobAttempt.machine_id == Machine.id)
        .where(Machine.factory_id.in_(list(factory_ids)))
        .where(JobAttempt.status == AttemptStatus.DONE)
        .group_by(Machine.factory_id)
    )
    return {factory_id: int(count) for factory_id, count in session.execute(query)}


def maker_out(session: Session, profile: MakerProfile, done: int | None = None) -> MakerOut:
    """The profile as the maker (and the platform owner) see it; ``done`` if already counted."""
    factory = workshop_of(session, profile)
    if done is None:
        done = jobs_done(session, [factory.id]).get(factory.id, 0)
    status = probation.status_of(profile.suspended, done)
    return MakerOut(
        id=profile.id,
        display_name=profile.display_name,
        country=profile.country,
        country_name=countries().get(profile.country, profile.country),
        region=profile.region,
        certificates=profile.certificates,
        status=status,
        status_in_words=probation.in_words(status, done),
        status_reason=profile.status_reason,
        jobs_done=done,
        enterprise_id=profile.enterprise_id,
        factory_id=factory.id,
        workshop_code=factory.code,
        currency=factory.currency,
        created_at=profile.created_at,
    )


def workshop_of(session: Session, profile: MakerProfile) -> Factory:
    factory = session.get(Factory, profile.factory_id)
    assert factory is not None  # the workshop goes with the profile
    return factory


def _set_suspended(
    profile: MakerProfile, actor: Actor, suspended: bool, data: StatusChange
) -> MakerProfile:
    profile.suspended = suspended
    profile.status_reason = data.reason
    profile.status_changed_at = utcnow()
    profile.status_changed_by = actor.user_id
    return profile


def _any_maker(session: Session, actor: Actor, maker_id: str) -> MakerProfile:
    _require_platform_owner(actor)
    profile = session.get(MakerProfile, maker_id)
    if profile is None:
        raise NotFound("There is no such maker.")
    return profile


def _require_platform_owner(actor: Actor) -> None:
    if not actor.is_platform_owner:
        raise Forbidden("Only the platform owner manages the network of makers.")


def _profile_of(session: Session, user_id: str) -> MakerProfile | None:
    return session.scalar(select(MakerProfile).where(MakerProfile.user_id == user_id))


def _free_code(session: Session, display_name: str) -> str:
    """A code for the enterprise's links and the workshop's topics, from the public name (never
    the person's), with a short random tail so two "Garage Prints" do not collide."""
    base = re.sub(r"[^a-z0-9]+", "-", display_name.lower()).strip("-")[:40].strip("-") or "maker"
    for _ in range(CODE_TRIES):
        code = f"{base}-{secrets.token_hex(2)}"
        taken = session.scalar(select(Factory.id).where(Factory.code == code)) or session.scalar(
            select(Enterprise.id).where(Enterprise.slug == code)
        )
        if taken is None:
            return code
    raise Conflict("Could not find a free code for your workshop; try another public name.")
