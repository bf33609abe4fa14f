"""Addresses renamed so every path has one style (plural nouns in kebab-case): the old ones
answer 308 Permanent Redirect to the new for one release, then go (docs/api.md, "Moved paths").

308 keeps the method and the body, so a client that POSTs to an old address is served as before;
the ``Deprecation`` and ``Link`` headers tell it where to go from now on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

#: (old path, new path, methods); the parameters keep their names.
MOVED = (
    ("/api/v1/shared/{token}/events", "/api/v1/shared-orders/{token}/events", ["GET"]),
    ("/api/v1/proposals/{proposal_id}/batch", "/api/v1/proposals/{proposal_id}/batches", ["POST"]),
    (
        "/api/v1/enterprises/{enterprise_id}/quoting/tables",
        "/api/v1/enterprises/{enterprise_id}/quoting-tables",
        ["GET", "PUT"],
    ),
)


def install(app: FastAPI) -> None:
    for old, new, methods in MOVED:
        app.add_api_route(old, _redirect_to(new), methods=methods, include_in_schema=False)


def _redirect_to(new: str) -> Callable[[Request], Awaitable[RedirectResponse]]:
    async def redirect(request: Request) -> RedirectResponse:
        target = new.format(**request.path_params)
        if request.url.query:
            target += "?" + request.url.query
        response = RedirectResponse(target, status_code=308)
        response.headers["Deprecation"] = "true"
        response.headers["Link"] = f'<{target}>; rel="successor-version"'
        return response

    return redirect
