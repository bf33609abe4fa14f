"""A micro-enterprise's life: someone applies, the platform owner approves or declines, owners
invite members by link and set their roles. An enterprise always keeps at least one owner."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import (
    ApplicationStatus,
    Enterprise,
    EnterpriseApplication,
    Invitation,
    MemberRole,
    Membership,
    User,
)
from c2m.domains.platform.schemas import (
    Decision,
    InvitationState,
    NewApplication,
    NewInvitation,
)
from c2m.domains.platform.security import token_digest
from c2m.domains.platform.service import create_enterprise
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, Forbidden, NotFound
from c2m.kernel.ids import new_secret
from c2m.kernel.problem_types import ProblemCode

INVALID_LINK = (
    "This invitation link cannot be used: it has expired, been used or been withdrawn. "
    "Ask an owner of the micro-enterprise for a new one."
)


def apply(session: Session, actor: Actor, data: NewApplication) -> EnterpriseApplication:
    """One open application per person; the short name must be free among enterprises and
    other open applications."""
    pending = select(EnterpriseApplication.id).where(
        EnterpriseApplication.status == ApplicationStatus.PENDING
    )
    if session.scalar(pending.where(EnterpriseApplication.applicant_id == actor.user_id)):
        raise Conflict("You already have an application waiting; wait for its decision first.")
    taken = session.scalar(select(Enterprise.id).where(Enterprise.slug == data.slug))
    if taken or session.scalar(pending.where(EnterpriseApplication.slug == data.slug)):
        raise Conflict(
            f"The short name {data.slug!r} is taken; choose another.",
            code=ProblemCode.ALREADY_EXISTS,
        )
    application = EnterpriseApplication(
        applicant_id=actor.user_id, name=data.name, slug=data.slug, pitch=data.pitch
    )
    session.add(application)
    session.flush()
    return application


def applications(
    session: Session, actor: Actor, status: ApplicationStatus | None = None
) -> list[EnterpriseApplication]:
    """The platform owner sees every application; anyone else their own."""
    query = select(EnterpriseApplication).order_by(EnterpriseApplication.created_at.desc())
    if not actor.is_platform_owner:
        query = query.where(EnterpriseApplication.applicant_id == actor.user_id)
    if status is not None:
        query = query.where(EnterpriseApplication.status == status)
    return list(session.scalars(query))


def decide(
    session: Session, actor: Actor, application_id: str, decision: Decision
) -> EnterpriseApplication:
    """Approving opens the enterprise with the applicant as its owner."""
    if not actor.is_platform_owner:
        raise Forbidden("Only the platform owner decides on applications.")
    application = session.scalar(
        select(EnterpriseApplication)
        .where(EnterpriseApplication.id == application_id)
        .with_for_update()
    )
    if application is None:
        raise NotFound("There is no such application.")
    if application.status is not ApplicationStatus.PENDING:
        raise Conflict(f"This application was already {application.status.value}.")
    if decision.approve:
        applicant = session.get(User, application.applicant_id)
        assert applicant is not None  # applications go with their applicant
        enterprise = create_enterprise(session, application.name, application.slug, applicant)
        application.enterprise_id = enterprise.id
    approved, declined = ApplicationStatus.APPROVED, ApplicationStatus.DECLINED
    application.status = approved if decision.approve else declined
    application.decided_at = utcnow()
    application.decided_by = actor.user_id
    application.note = decision.note
    session.flush()
    return application


def invite(
    session: Session, actor: Actor, enterprise_id: str, data: NewInvitation
) -> tuple[Invitation, str]:
    """A new single-use link; the secret is returned once and only its hash kept."""
    _enterprise(session, actor, enterprise_id)
    actor.require_owner_of(enterprise_id)
    secret = new_secret()
    invitation = Invitation(
        enterprise_id=enterprise_id,
        token_hash=token_digest(secret),
        role=MemberRole(data.role),
        created_by=actor.user_id,
        expires_at=utcnow() + timedelta(days=data.days),
    )
    session.add(invitation)
    session.flush()
    return invitation, secret


def invitation_state(invitation: Invitation, now: datetime | None = None) -> InvitationState:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    return "expired" if invitation.expires_at <= (now or utcnow()) else "open"


def invitations(session: Session, actor: Actor, enterprise_id: str) -> list[Invitation]:
    _enterprise(session, actor, enterprise_id)
    actor.require_owner_of(enterprise_id)
    query = (
        select(Invitation)
        .where(Invitation.enterprise_id == enterprise_id)
        .order_by(Invitation.created_at.desc())
    )
    return list(session.scalars(query))


def revoke(session: Session, actor: Actor, enterprise_id: str, invitation_id: str) -> Invitation:
    actor.require_owner_of(enterprise_id)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.enterprise_id != enterprise_id:
        raise NotFound("There is no such invitation.")
    if invitation_state(invitation) == "open":
        invitation.revoked_at = utcnow()
        session.flush()
    return invitation


def open_invitation(session: Session, secret: str) -> Invitation:
    """The invitation behind a link, if it can still be accepted."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == token_digest(secret))
    )
    if invitation is None or invitation_state(invitation) != "open":
        raise NotFound(INVALID_LINK)
    return invitation


def accept(session: Session, actor: Actor, secret: str) -> Membership:
    """Join by link. The link is spent in one conditional update, so two people opening it at
    once cannot both join."""
    invitation = open_invitation(session, secret)
    if invitation.enterprise_id in actor.memberships:
        raise Conflict(f"You are already a member of {invitation.enterprise.name}.")
    now = utcnow()
    spent = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now, accepted_by=actor.user_id)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(INVALID_LINK)
    membership = Membership(
        user_id=actor.user_id, enterprise_id=invitation.enterprise_id, role=invitation.role
    )
    session.add(membership)
    session.flush()
    return membership


def members(session: Session, actor: Actor, enterprise_id: str) -> list[Membership]:
    _enterprise(session, actor, enterprise_id)
    query = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.enterprise_id == enterprise_id)
        .order_by(Membership.role.desc(), User.name)
    )
    return list(session.scalars(query))


def set_role(
    session: Session, actor: Actor, enterprise_id: str, user_id: str, role: MemberRole
) -> Membership:
    actor.require_owner_of(enterprise_id)
    membership = _membership(session, enterprise_id, user_id)
    if membership.role is MemberRole.OWNER and role is not MemberRole.OWNER:
        _keep_an_owner(session, enterprise_id)
    membership.role = role
    session.flush()
    return membership


def remove(session: Session, actor: Actor, enterprise_id: str, user_id: str) -> None:
    """Owners remove members; anyone may leave."""
    if user_id != actor.user_id:
        actor.require_owner_of(enterprise_id)
    membership = _membership(session, enterprise_id, user_id)
    if membership.role is MemberRole.OWNER:
        _keep_an_owner(session, enterprise_id)
    session.delete(membership)
    session.flush()


def _enterprise(session: Session, actor: Actor, enterprise_id: str) -> Enterprise:
    actor.require_member_of(enterprise_id)
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("There is no such micro-enterprise, or you are not one of its members.")
    return enterprise


def _membership(session: Session, enterprise_id: str, user_id: str) -> Membership:
    membership = session.scalar(
        select(Membership).where(
            Membership.enterprise_id == enterprise_id, Membership.user_id == user_id
        )
    )
    if membership is None:
        raise NotFound("That person is not a member of this micro-enterprise.")
    return membership


def _keep_an_owner(session: Session, enterprise_id: str) -> None:
    """Refuse to take away the last owner. The enterprise row is locked first, so two owners
    demoting each other at once are decided one after the other."""
    session.execute(select(Enterprise.id).where(Enterprise.id == enterprise_id).with_for_update())
    owners = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.enterprise_id == enterprise_id, Membership.role == MemberRole.OWNER)
    )
    if (owners or 0) <= 1:
        raise Conflict(
            "A micro-enterprise needs at least one owner: make someone else an owner first."
        )
