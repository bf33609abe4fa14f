"""The mailbox: the e-mails kept instead of sent when no SMTP server is set (the demo). The
demo shows it to everyone; an install without SMTP to its platform owner only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from c2m.bootstrap import Platform
from c2m.domains.integrations.mail import MAILBOX, kept_mail, kept_mails
from c2m.kernel.errors import Forbidden
from c2m.web.auth import Caller, OptionalCaller, PlatformDep
from c2m.web.routers.pages import signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)


def _mailbox(request: Request, platform: Platform, caller: Caller | None) -> dict[str, object]:
    """What every mailbox page gets, once the caller may read it."""
    demo = platform.settings.demo
    if not demo and not signed_in(request, caller).actor.is_platform_owner:
        raise Forbidden("Only the platform owner reads the platform's outgoing mail.")
    return {"demo": demo}


@router.get("/mails")
def mailbox(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    context = _mailbox(request, platform, caller)
    mails = kept_mails(platform.settings.data_dir / MAILBOX)
    return render(request, caller, "mails.html", {**context, "mails": mails})


@router.get("/mails/{name}")
def one_mail(
    request: Request, platform: PlatformDep, name: str, caller: OptionalCaller
) -> Response:
    context = _mailbox(request, platform, caller)
    mail = kept_mail(platform.settings.data_dir / MAILBOX, name)
    return render(request, caller, "mail.html", {**context, "mail": mail})
