"""Opening a micro-enterprise (apply, decide) and running its team (invite, roles, leave)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from c2m.domains.platform import enterprises
from c2m.domains.platform.models import ApplicationStatus, Invitation, MemberRole, Membership
from c2m.domains.platform.schemas import (
    ApplicationOut,
    Decision,
    InvitationCreated,
    InvitationOut,
    InvitationPreview,
    MemberOut,
    NewApplication,
    NewInvitation,
    RoleChange,
)
from c2m.web import links
from c2m.web.auth import EnterprisesAdmin, PlatformDep
from c2m.web.idempotent import Idempotent
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["enterprises"], responses=problem_responses(401))
CHANGE = problem_responses(403, 404, 409, 422)


def member_out(membership: Membership) -> MemberOut:
    user = membership.user
    return MemberOut(user_id=user.id, name=user.name, email=user.email, role=membership.role.value)


def invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.id,
        enterprise_id=invitation.enterprise_id,
        role=invitation.role.value,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        state=enterprises.invitation_state(invitation),
    )


@router.post(
    "/enterprise-applications",
    status_code=201,
    response_model=ApplicationOut,
    responses=problem_responses(409, 413, 422),
)
def apply_for_enterprise(
    body: NewApplication, actor: EnterprisesAdmin, idempotent: Idempotent
) -> JSONResponse:
    """Ask to open a micro-enterprise; the platform owner decides."""

    def create(session: Session) -> ApplicationOut:
        return ApplicationOut.model_validate(enterprises.apply(session, actor, body))

    return idempotent.create(actor, body, create)


@router.get("/enterprise-applications", response_model=list[ApplicationOut], responses=PAGED)
def list_enterprise_applications(
    platform: PlatformDep,
    actor: EnterprisesAdmin,
    page: Paging,
    status: ApplicationStatus | None = None,
) -> list[ApplicationOut]:
    """Your applications; the platform owner sees everyone's."""
    with platform.db.read() as session:
        found = enterprises.applications(session, actor, status)
        return page.pick(found, ApplicationOut.model_validate)


@router.post(
    "/enterprise-applications/{application_id}/decision",
    response_model=ApplicationOut,
    responses=CHANGE,
)
def decide_enterprise_application(
    platform: PlatformDep, application_id: str, body: Decision, actor: EnterprisesAdmin
) -> ApplicationOut:
    """Approve (the enterprise opens, the applicant owns it) or decline; platform owner only."""
    with platform.db.write() as session:
        out = ApplicationOut.model_validate(
            enterprises.decide(session, actor, application_id, body)
        )
    platform.tokens.forget_holder(out.applicant_id)  # after the commit: they own it now
    return out


@router.get(
    "/enterprises/{enterprise_id}/members",
    response_model=list[MemberOut],
    responses={**problem_responses(404), **PAGED},
)
def list_members(
    platform: PlatformDep, enterprise_id: str, actor: EnterprisesAdmin, page: Paging
) -> list[MemberOut]:
    """The team, in the order they joined."""
    with platform.db.read() as session:
        return page.pick(enterprises.members(session, actor, enterprise_id), member_out)


@router.put(
    "/enterprises/{enterprise_id}/members/{user_id}", response_model=MemberOut, responses=CHANGE
)
def set_member_role(
    platform: PlatformDep,
    enterprise_id: str,
    user_id: str,
    body: RoleChange,
    actor: EnterprisesAdmin,
) -> MemberOut:
    """Owners set roles; the last owner cannot be made a member."""
    with platform.db.write() as session:
        role = MemberRole(body.role)
        out = member_out(enterprises.set_role(session, actor, enterprise_id, user_id, role))
    platform.tokens.forget_holder(user_id)
    return out


@router.delete("/enterprises/{enterprise_id}/members/{user_id}", status_code=204, responses=CHANGE)
def remove_member(
    platform: PlatformDep, enterprise_id: str, user_id: str, actor: EnterprisesAdmin
) -> Response:
    """Owners remove members; anyone may remove themselves (leave)."""
    with platform.db.write() as session:
        enterprises.remove(session, actor, enterprise_id, user_id)
    platform.tokens.forget_holder(user_id)
    return Response(status_code=204)


@router.post(
    "/enterprises/{enterprise_id}/invitations",
    status_code=201,
    response_model=InvitationCreated,
    responses=CHANGE,
)
def invite_member(
    platform: PlatformDep,
    enterprise_id: str,
    body: NewInvitation,
    actor: EnterprisesAdmin,
    idempotent: Idempotent,
) -> JSONResponse:
    """A single-use link that makes whoever opens it a member (or owner); shown once."""

    def create(session: Session) -> InvitationCreated:
        invitation, secret = enterprises.invite(session, actor, enterprise_id, body)
        url = links.public_url(platform, links.invitation_page(secret))
        return InvitationCreated(**invitation_out(invitation).model_dump(), url=url)

    return idempotent.create(actor, body, create)


@router.get(
    "/enterprises/{enterprise_id}/invitations",
    response_model=list[InvitationOut],
    responses={**problem_responses(403, 404), **PAGED},
)
def list_invitations(
    platform: PlatformDep, enterprise_id: str, actor: EnterprisesAdmin, page: Paging
) -> list[InvitationOut]:
    with platform.db.read() as session:
        return page.pick(enterprises.invitations(session, actor, enterprise_id), invitation_out)


@router.delete(
    "/enterprises/{enterprise_id}/invitations/{invitation_id}",
    response_model=InvitationOut,
    responses=problem_responses(403, 404),
)
def revoke_invitation(
    platform: PlatformDep, enterprise_id: str, invitation_id: str, actor: EnterprisesAdmin
) -> InvitationOut:
    """Withdraw a link not used yet (a used or expired one is returned unchanged)."""
    with platform.db.write() as session:
        return invitation_out(enterprises.revoke(session, actor, enterprise_id, invitation_id))


@router.get(
    "/invitations/{token}", response_model=InvitationPreview, responses=problem_responses(404)
)
def get_invitation(platform: PlatformDep, token: str, actor: EnterprisesAdmin) -> InvitationPreview:
    """What a link offers, before accepting it."""
    with platform.db.read() as session:
        invitation = enterprises.open_invitation(session, token)
        return InvitationPreview(
            enterprise_id=invitation.enterprise_id,
            enterprise_name=invitation.enterprise.name,
            role=invitation.role.value,
            expires_at=invitation.expires_at,
        )


@router.post(
    "/invitations/{token}/accept",
    status_code=201,
    response_model=MemberOut,
    responses=problem_responses(404, 409),
)
def accept_invitation(platform: PlatformDep, token: str, actor: EnterprisesAdmin) -> MemberOut:
    with platform.db.write() as session:
        out = member_out(enterprises.accept(session, actor, token))
    platform.tokens.forget_holder(actor.user_id)
    return out
