"""Errors as a browser sees them: a page that keeps the signed-in header and says what happened
and what to do next. API clients, and anything under /api/, keep problem+json; the problem
document the handlers in ``web.problems`` write is the one description of each error."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from c2m.web.auth import Caller, identify
from c2m.web.problems import PROBLEM_JSON, Handler
from c2m.web.templating import render

NEXT_STEPS = {
    400: "Go back, check what you entered and send it again.",
    403: "Sign in with an account that may see this, or ask the owner for access.",
    404: "Check the address, or go back and follow a link from there.",
    405: "Go back and use the page's own buttons and forms.",
    409: "Something changed while you were on the page. Reload it and try again.",
    410: "The link has expired. Ask for a new one.",
    413: "Send a smaller file or fewer at once.",
    422: "Go back, correct what the message names and send it again.",
    429: "Wait a moment before you try again.",
}
NEXT_STEP = "Nothing was changed. Try again in a minute; if it keeps happening, tell us."


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not a script, not the API)."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/api/") and "text/html" in accept


def negotiated(handler: Handler) -> Handler:
    """``handler``'s problem document, as a page when a browser asked for one."""

    async def handle(request: Request, exc: Exception) -> Response:
        response = await handler(request, exc)
        if response.media_type != PROBLEM_JSON or not wants_html(request):
            return response
        if response.status_code == 401:
            return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)
        problem = json.loads(bytes(response.body))
        caller = await run_in_threadpool(_caller, request)
        context = {
            "title": problem["title"],
            "detail": problem["detail"],
            "next_step": NEXT_STEPS.get(response.status_code, NEXT_STEP),
            "back": _back(request),
        }
        page = render(request, caller, "error.html", context, status_code=response.status_code)
        for name in ("allow", "retry-after", "x-request-id"):
            if name in response.headers:
                page.headers[name] = response.headers[name]
        return page

    return handle


def _caller(request: Request) -> Caller | None:
    """Who is signed in, for the header; a broken session or database is no second error."""
    try:
        return identify(request, None)
    except Exception:
        return None


def _back(request: Request) -> str | None:
    """The page the person came from, when it is one of ours."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or referer.path == request.url.path:
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")
