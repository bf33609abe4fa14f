"""Apply the Idempotency-Key contract to a creating POST, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from c2m.domains.platform.actor import Actor
from c2m.kernel.idempotency import fingerprint, run_once
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
    if key is None:
        status, payload = operation()
        return JSONResponse(payload, status_code=status)
    stored = run_once(
        session,
        scope=actor.user_id,
        key=key,
        request_fingerprint=fingerprint(
            request.method,
            request.url.path,
            body.model_dump(mode="json") if body is not None else None,
        ),
        operation=operation,
    )
    headers = {REPLAY_HEADER: "true"} if stored.replayed else {}
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)
