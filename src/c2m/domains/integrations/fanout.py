"""The relay's order events become deliveries: one row per subscription that wants the event,
written after the event committed (the relay publishes only committed outbox rows), once per
outbox message however often the message is published."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from c2m.domains.integrations.catalogue import webhook_type
from c2m.domains.integrations.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
    new_message_id,
)
from c2m.domains.integrations.schemas import OrderEventData
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database, table_of
from c2m.kernel.outbox import first_time

CONSUMER = "webhooks"


def webhook_body(event_type: str, message: dict[str, Any]) -> dict[str, Any]:
    """The delivery's JSON body (Standard Webhooks' type, timestamp, data) of a timeline
    message."""
    data = OrderEventData.model_validate(message).model_dump(mode="json")
    return {"type": event_type, "timestamp": data["at"], "data": data}


def delivery_row(
    subscription_id: str, event_type: str, message: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A new delivery of one timeline message (as the outbox carries it) to one webhook."""
    return {
        "id": new_message_id(),
        "subscription_id": subscription_id,
        "event_type": event_type,
        "order_id": message["order_id"],
        "seq": message["seq"],
        "payload": webhook_body(event_type, message),
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "round_start": 0,
        "replays": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


class WebhookFanout:
    """An event-bus handler (``orders.`` topics); ``wake`` tells the sender work is waiting."""

    def __init__(self, db: Database, wake: Callable[[], None]) -> None:
        self.db = db
        self.wake = wake

    def __call__(self, _topic: str, message: dict[str, Any]) -> None:
        if "message_id" not in message or "enterprise_id" not in message:
            return
        event_type = webhook_type(str(message["type"]))
        query = select(WebhookSubscription.id, WebhookSubscription.events).where(
            WebhookSubscription.enterprise_id == message["enterprise_id"],
            WebhookSubscription.active,
        )
        with self.db.read() as session:  # most events have no subscriber: no write for those
            wanted = [row.id for row in session.execute(query) if event_type in row.events]
        if not wanted:
            return
        rows = [delivery_row(sid, event_type, message, utcnow()) for sid in wanted]
        with self.db.write() as session:
            if not first_time(session, CONSUMER, int(message["message_id"])):
                return
            session.execute(insert(table_of(WebhookDelivery)), rows)
        self.wake()
