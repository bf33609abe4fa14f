"""Pages for a micro-enterprise's life: apply to open one, the platform owner's decisions, the
team page (members, roles, invitation links) and the page an invitation link opens."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from c2m.domains.platform import enterprises
from c2m.domains.platform import service as accounts
from c2m.domains.platform.models import ApplicationStatus, MemberRole
from c2m.domains.platform.schemas import Decision, NewApplication, NewInvitation
from c2m.kernel.errors import Conflict, Forbidden, describe_validation
from c2m.web import links
from c2m.web.auth import OptionalCaller, PlatformDep
from c2m.web.routers.pages import CsrfField, signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)

Role = Annotated[Literal["member", "owner"], Form()]


@router.get("/enterprises/apply")
def apply_form(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        mine = enterprises.applications(session, actor)
    return render(request, caller, "enterprise_apply.html", {"applications": mine, "form": {}})


@router.post("/enterprises/apply")
def apply(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    name: Annotated[str, Form(max_length=200)],
    slug: Annotated[str, Form(max_length=100)],
    pitch: Annotated[str, Form(max_length=4000)],
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    form = {"name": name, "slug": slug, "pitch": pitch}
    try:
        data = NewApplication(name=name.strip(), slug=slug.strip().lower(), pitch=pitch.strip())
        with platform.db.write() as session:
            enterprises.apply(session, actor, data)
    except ValidationError as exc:
        error = describe_validation(list(exc.errors()), "The application cannot be sent")
        return _apply_again(request, platform, caller, form, error)
    except Conflict as exc:
        return _apply_again(request, platform, caller, form, exc.detail)
    return RedirectResponse("/enterprises/apply", status_code=303)


def _apply_again(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    form: dict[str, str],
    error: str,
) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        mine = enterprises.applications(session, actor)
    context = {"applications": mine, "form": form, "error": error}
    return render(request, caller, "enterprise_apply.html", context, status_code=422)


@router.get("/platform/applications")
def applications(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    actor = signed_in(request, caller).actor
    if not actor.is_platform_owner:
        raise Forbidden(
            "Only the platform owner decides on applications; yours are on /enterprises/apply."
        )
    with platform.db.read() as session:
        every = enterprises.applications(session, actor)
        context = {
            "waiting": [a for a in every if a.status is ApplicationStatus.PENDING],
            "decided": [a for a in every if a.status is not ApplicationStatus.PENDING][:20],
        }
        return render(request, caller, "applications.html", context)


@router.post("/platform/applications/{application_id}/decision")
def decide(
    request: Request,
    platform: PlatformDep,
    application_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    approve: Annotated[bool, Form()],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        decision = Decision(approve=approve, note=note.strip() or None)
        enterprises.decide(session, actor, application_id, decision)
    return RedirectResponse("/platform/applications", status_code=303)


@router.get("/workshop/enterprises/{enterprise_id}/team")
def team(
    request: Request, platform: PlatformDep, enterprise_id: str, caller: OptionalCaller
) -> Response:
    return _team(request, platform, caller, enterprise_id)


def _team(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    enterprise_id: str,
    new_link: str | None = None,
) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        enterprise = accounts.get_enterprise(session, actor, enterprise_id)
        people = enterprises.members(session, actor, enterprise_id)
        owner = actor.is_owner_of(enterprise_id)
        links_sent = enterprises.invitations(session, actor, enterprise_id) if owner else []
        context = {
            "enterprise": enterprise,
            "people": people,
            "owner": owner,
            "invitations": [(i, enterprises.invitation_state(i)) for i in links_sent],
            "new_link": new_link,
        }
        return render(request, caller, "team.html", context)


@router.post("/workshop/enterprises/{enterprise_id}/invitations")
def invite(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    role: Role,
    days: Annotated[int, Form(ge=1, le=30)] = 7,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        _, secret = enterprises.invite(
            session, actor, enterprise_id, NewInvitation(role=role, days=days)
        )
    link = links.public_url(platform, links.invitation_page(secret))
    return _team(request, platform, caller, enterprise_id, new_link=link)


@router.post("/workshop/enterprises/{enterprise_id}/invitations/{invitation_id}/revoke")
def revoke(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    invitation_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        enterprises.revoke(session, actor, enterprise_id, invitation_id)
    return RedirectResponse(links.team_page(enterprise_id), status_code=303)


@router.post("/workshop/enterprises/{enterprise_id}/members/{user_id}")
def set_role(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    user_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    role: Role,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        enterprises.set_role(session, actor, enterprise_id, user_id, MemberRole(role))
    return RedirectResponse(links.team_page(enterprise_id), status_code=303)


@router.post("/workshop/enterprises/{enterprise_id}/members/{user_id}/remove")
def remove(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    user_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        enterprises.remove(session, actor, enterprise_id, user_id)
    target = links.team_page(enterprise_id) if user_id != actor.user_id else "/workshop"
    return RedirectResponse(target, status_code=303)


@router.get("/join/{token}")
def join_page(
    request: Request, platform: PlatformDep, token: str, caller: OptionalCaller
) -> Response:
    signed_in(request, caller)
    with platform.db.read() as session:
        invitation = enterprises.open_invitation(session, token)
        context = {"invitation": invitation, "enterprise": invitation.enterprise, "token": token}
        return render(request, caller, "join.html", context)


@router.post("/join/{token}")
def join(
    request: Request,
    platform: PlatformDep,
    token: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        membership = enterprises.accept(session, actor, token)
    return RedirectResponse(links.team_page(membership.enterprise_id), status_code=303)
