"""Jinja2 set-up and the context every page gets (who is signed in, the CSRF token)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from c2m.domains.orders.news import EVENT_TITLES
from c2m.domains.orders.states import LABELS
from c2m.domains.orders.steps import STEP_EVENTS
from c2m.kernel.ids import new_secret
from c2m.kernel.money import format_amount
from c2m.web.auth import ANON_CSRF_COOKIE, Caller

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates


def event_detail(data: dict[str, object]) -> str:
    """The human line under a timeline entry: why (a hold's, a remake's, a cancellation's
    reason) or a note (who makes it); which machine is a detail the step list keeps under its
    disclosure."""
    reason = str(data.get("reason") or data.get("note") or "")
    return reason[:1].upper() + reason[1:]


@cache
def templates() -> Jinja2Templates:
    """The page templates, set up at the first page: a process starts (and answers its health
    checks and API calls) without loading Jinja2."""
    from fastapi.templating import Jinja2Templates

    pages = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
    pages.env.globals["money"] = format_amount  # one format, Babel's: "€649.00"
    pages.env.globals["event_detail"] = event_detail
    return pages


#: How an entry's dot is coloured: things went well unless said here.
EVENT_TONES = {
    "payment_pending": "wait",
    "payment_declined": "bad",
    "on_hold": "bad",
    "remake": "wait",
    "cancelled": "bad",
    "batch_expired": "bad",
    "refunded": "info",
}
TIMELINE_LABELS = json.dumps(
    {
        "states": {s.value: label for s, label in LABELS.items()},
        "events": EVENT_TITLES,
        "tones": EVENT_TONES,
        "steps": sorted(STEP_EVENTS),
    }
)


def csrf_token_for(request: Request, caller: Caller | None) -> tuple[str, bool]:
    """The token forms must echo, and whether it is new (and must be set as a cookie)."""
    if caller is not None and caller.csrf_token is not None:
        return caller.csrf_token, False
    existing = request.cookies.get(ANON_CSRF_COOKIE)
    return (existing, False) if existing else (new_secret(), True)


def render(
    request: Request,
    caller: Caller | None,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token, fresh = csrf_token_for(request, caller)
    full = {
        "actor": caller.actor if caller else None,
        "csrf_token": token,
        "labels": LABELS,
        "event_titles": EVENT_TITLES,
        "event_tones": EVENT_TONES,
        "labels_json": TIMELINE_LABELS,
        "message": request.query_params.get("msg"),
        **(context or {}),
    }
    response = templates().TemplateResponse(request, name, full, status_code=status_code)
    if fresh:
        settings = request.app.state.platform.settings
        response.set_cookie(
            ANON_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies
        )
    return response
