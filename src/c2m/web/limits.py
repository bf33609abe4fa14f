"""Refuse request bodies while they stream in: one larger than its limit before it is held in
memory (413), and one that trickles in too slowly to be a real client (408), which would
otherwise hold a connection open for as long as its sender likes."""

from __future__ import annotations

import asyncio
import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from c2m.kernel.problem_types import ProblemCode
from c2m.web.problems import problem_document


class BodyRefused(HTTPException):
    """An HTTP error, so frameworks that catch body-parsing failures pass it through."""


def too_large(max_bytes: int) -> BodyRefused:
    sentence = f"The request body is larger than {max_bytes:,} bytes; send less at a time."
    return BodyRefused(413, sentence)


def too_slow(grace_s: float, min_rate: int) -> BodyRefused:
    return BodyRefused(
        408,
        f"The request body came in too slowly (after {grace_s:g} s, less than {min_rate:,} "
        "bytes a second on average); send it again over a better connection.",
    )


class BodyLimit:
    """Pure ASGI middleware: a problem+json refusal once a body passes ``max_bytes`` (or the
    larger limit ``larger`` gives its path: uploads, whose route also checks each file), or
    once, ``grace_s`` after the request began, less than ``min_rate`` bytes a second on average
    have come. Only the body is timed: a stream's wait for the client to go away is not."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        larger: dict[str, int] | None = None,
        *,
        grace_s: float = 10.0,
        min_rate: int = 1000,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}
        self.grace_s = grace_s
        self.min_rate = min_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, too_large(limit))
            return
        loop = asyncio.get_running_loop()
        began = loop.time()
        seen = 0
        complete = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, complete
            if complete:
                return await receive()
            # By then, at least min_rate bytes a second must have come, counting the next one.
            due = began + max(self.grace_s, (seen + 1) / self.min_rate)
            try:
                async with asyncio.timeout_at(due):
                    message = await receive()
            except TimeoutError:
                raise too_slow(self.grace_s, self.min_rate) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if seen > limit:
                    raise too_large(limit)
            else:
                complete = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyRefused as refused:
            if not started:
                await _refuse(scope, send, refused)


async def _refuse(scope: Scope, send: Send, refused: BodyRefused) -> None:
    code = (
        ProblemCode.PAYLOAD_TOO_LARGE if refused.status_code == 413 else ProblemCode.REQUEST_TIMEOUT
    )
    body = json.dumps(
        problem_document(code, refused.detail, scope.get("path", ""), status=refused.status_code)
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": refused.status_code,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
