"""The Idempotency-Key contract on the web: one helper answers every creating POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.domains.platform.actor import Actor
from c2m.kernel.idempotency import KeyClaim, StoredResponse, fingerprint, once

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


def create_once(
    platform: Platform,
    claim: KeyClaim | None,
    operation: Callable[[Session], Any],
    *,
    status_code: int = 201,
) -> JSONResponse:
    """Answer with what ``operation`` returns (a model, or plain JSON), run in one write
    transaction once per claimed Idempotency-Key; a retry gets the stored answer."""
    stored = once(
        platform.db, claim, lambda session: to_jsonable_python(operation(session)), status_code
    )
    return answer(stored)


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
