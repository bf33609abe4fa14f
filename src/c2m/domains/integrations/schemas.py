"""What the webhook API takes and answers, and the body every delivery carries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from c2m.domains.integrations.catalogue import EVENT_TYPES
from c2m.domains.integrations.models import DeliveryStatus
from c2m.domains.orders.states import OrderState
from c2m.kernel.schemas import Id, Strict


def _known(event_type: str) -> str:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type!r} is not an event type (see the webhooks catalogue)")
    return event_type


EventType = Annotated[
    str, Field(max_length=60, json_schema_extra={"enum": list(EVENT_TYPES)}), AfterValidator(_known)
]


class NewSubscription(Strict):
    url: str = Field(max_length=2000, description="Where deliveries are POSTed (https).")
    events: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))
    enterprise_id: Id | None = Field(
        None, description="The micro-enterprise whose orders to follow; the one you own if unset."
    )


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    enterprise_id: str
    url: str
    events: list[str]
    active: bool
    disabled_at: datetime | None
    disabled_reason: str | None = Field(description="Why deliveries stopped, for the owner.")
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="The signing secret (whsec_...), shown only this once.")


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="The webhook-id header of every attempt.")
    event_type: str
    order_id: str
    seq: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryDetail(DeliveryOut):
    log: list[AttemptOut]
    payload: dict[str, Any]


class OrderEventData(BaseModel):
    """One event of an order's timeline, as the order API shows it, and whose order it is."""

    order_id: str
    enterprise_id: str
    customer_id: str
    seq: int = Field(description="Its place on the order's timeline (1, 2, ...).")
    state: OrderState = Field(description="The order's state after the event.")
    progress: int
    at: datetime
    actor: str
    data: dict[str, Any] = Field(description="The event's details (amount, machine, reason...).")


class WebhookEvent(BaseModel):
    """The JSON body of a delivery (Standard Webhooks: type, timestamp, data)."""

    type: str = Field(description="order.<timeline type>, e.g. order.paid")
    timestamp: datetime
    data: OrderEventData
