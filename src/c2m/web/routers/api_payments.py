"""Payment-provider callbacks (webhooks). Signed by the provider; repeats are harmless."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Body, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from c2m.domains.orders.payments import Callback, CallbackKind
from c2m.domains.orders.service import apply_callback
from c2m.kernel.errors import Forbidden
from c2m.web.auth import PlatformDep
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=100)
    payment_ref: str = Field(min_length=1, max_length=100)
    kind: CallbackKind
    seq: int = Field(ge=1, le=1_000_000)


class CallbackAck(BaseModel):
    applied: bool = Field(description="False when the callback was a repeat or out of date.")


@router.post(
    "/test/callbacks",
    response_model=CallbackAck,
    responses=problem_responses(403, 404, 413, 422),
)
async def receive_test_payment_callback(
    request: Request,
    platform: PlatformDep,
    signature: Annotated[str, Header(alias="X-C2M-Signature", max_length=128)],
    payload: Annotated[CallbackIn, Body()],
) -> CallbackAck:
    """Where the built-in test provider reports the outcome of a delayed payment."""
    raw = await request.body()
    if not platform.payments.verify(raw, signature):
        raise Forbidden("The callback's signature does not match; it was not sent by the provider.")
    callback = Callback(payload.event_id, payload.payment_ref, payload.kind, payload.seq)

    def apply() -> bool:
        with platform.db.write() as session:
            return apply_callback(session, callback, platform.payments)

    return CallbackAck(applied=await to_thread.run_sync(apply))
