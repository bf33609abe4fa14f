"""The Idempotency-Key contract on the web: one helper answers every creating POST."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.domains.platform.actor import Actor
from c2m.kernel.idempotency import KeyClaim, StoredResponse, fingerprint, once
from c2m.web.auth import PlatformDep

REPLAY_HEADER = "Idempotent-Replayed"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key to retry safely: the first response is replayed.",
    ),
]


@dataclass(frozen=True)
class Idempotency:
    """What a creating POST needs to honour its Idempotency-Key: the platform, the request (what
    was asked) and the key, if one was sent."""

    platform: Platform
    request: Request
    key: str | None

    def claim(self, actor: Actor, body: BaseModel | None) -> KeyClaim | None:
        return claim_of(self.request, actor, body, self.key)

    def create(
        self,
        actor: Actor,
        body: BaseModel | None,
        operation: Callable[[Session], Any],
        *,
        status_code: int = 201,
    ) -> JSONResponse:
        """Answer with what ``operation`` returns (a model, or plain JSON), run in one write
        transaction once per claimed key; a retry gets the stored answer."""
        stored = once(
            self.platform.db,
            self.claim(actor, body),
            lambda session: to_jsonable_python(operation(session)),
            status_code,
        )
        return answer(stored)


async def idempotency(
    request: Request, platform: PlatformDep, key: IdempotencyKey = None
) -> Idempotency:
    """Async: it does no I/O, so it costs no thread hop."""
    return Idempotency(platform, request, key)


Idempotent = Annotated[Idempotency, Depends(idempotency)]


def claim_of(
    request: Request, actor: Actor, body: BaseModel | None, key: str | None
) -> KeyClaim | None:
    """The caller's claim on ``key`` for this request, if a key was sent."""
    if key is None:
        return None
    payload = body.model_dump(mode="json") if body is not None else None
    return KeyClaim(actor.user_id, key, fingerprint(request.method, request.url.path, payload))


def answer(stored: StoredResponse) -> JSONResponse:
    """The response for a first answer or its replay (marked by a header)."""
    headers = {REPLAY_HEADER: "true"} if stored.replayed else {}
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)
