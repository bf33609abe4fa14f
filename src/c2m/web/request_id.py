"""A request id on every API log line and every response, to find one request in the logs.

Pure ASGI rather than ``BaseHTTPMiddleware``, which would buffer live (SSE) streams.
"""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from c2m.kernel.logs import REQUEST_ID

HEADER = b"x-request-id"
ACCEPTED = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
"""A caller's id is kept only if it is short and plain, so it cannot forge log lines."""


class RequestId:
    """Takes ``X-Request-ID`` from the request or makes one, and returns it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER, b"")
        request_id = given.decode() if ACCEPTED.fullmatch(given) else secrets.token_hex(8)
        # Not reset afterwards: each request runs in a task of its own, and uvicorn's line
        # about an unhandled error comes after the app returned.
        REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, request_id.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_id)
