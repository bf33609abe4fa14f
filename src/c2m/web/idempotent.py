"""Apply the Idempotency-Key contract to a creating POST, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from c2m.domains.platform.actor import Actor
from c2m.kernel.idempotency import KeyClaim, StoredResponse, fingerprint, run_once
from c2m.web.auth import platform_of

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
    request: Request,
    actor: Actor,
    body: BaseModel,
    key: str | None,
    operation: Callable[[Session], BaseModel | dict[str, Any]],
) -> JSONResponse:
    """A creating POST: ``operation`` in one write transaction, answered 201, honouring its
    Idempotency-Key."""

    def created() -> tuple[int, Any]:
        out = operation(session)
        return 201, out.model_dump(mode="json") if isinstance(out, BaseModel) else out

    with platform_of(request).db.write() as session:
        return respond_once(session, request, actor, body, key, created)


def respond_once(
    session: Session,
    request: Request,
    actor: Actor,
    body: BaseModel | None,
    key: str | None,
    operation: Callable[[], tuple[int, Any]],
) -> JSONResponse:
    """Run ``operation`` (returning status and JSON body), honouring an Idempotency-Key."""
    claim = claim_of(request, actor, body, key)
    if claim is None:
        status, payload = operation()
        return JSONResponse(payload, status_code=status)
    return answer(run_once(session, claim, operation))


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
