"""The webhook event catalogue in the OpenAPI document's ``webhooks`` section: one entry per
event type, with the body and the Standard Webhooks headers a receiver gets."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header

from c2m.domains.integrations.catalogue import EVENT_TYPES, meaning
from c2m.domains.integrations.schemas import WebhookEvent

RECEIVER = (
    "POSTed to your webhook's URL. Verify the signature with any Standard Webhooks library "
    "and your secret; answer 2xx within the timeout, or it is retried (docs/api.md)."
)


def receive(
    body: WebhookEvent,
    webhook_id: Annotated[str, Header(alias="webhook-id", description="Same on every retry.")],
    webhook_timestamp: Annotated[
        str, Header(alias="webhook-timestamp", description="Seconds since the epoch.")
    ],
    webhook_signature: Annotated[
        str, Header(alias="webhook-signature", description="v1,<base64 HMAC-SHA256>")
    ],
) -> None:
    """What a receiver is sent; c2m never serves this operation."""


def describe_webhooks(app: FastAPI) -> None:
    for event_type in EVENT_TYPES:
        app.webhooks.add_api_route(
            event_type,
            receive,
            methods=["POST"],
            summary=meaning(event_type),
            description=RECEIVER,
            operation_id=f"webhook_{event_type.replace('.', '_')}",
            status_code=204,
            tags=["webhooks"],
        )
