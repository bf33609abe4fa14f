"""The relay's order events become deliveries: one row per subscription that wants the event,
written after the event committed (the relay publishes only committed outbox rows), once per
outbox message however often the message is published. A relayed batch is handled at once: one
read of the webhooks, one write of every delivery, one wake of the sender."""

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
    """An event-bus batch handler (``orders.`` topics); ``wake`` tells the sender work is
    waiting."""

    def __init__(self, db: Database, wake: Callable[[], None]) -> None:
        self.db = db
        self.wake = wake

    def __call__(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        messages = [m for _, m in batch if "message_id" in m and "enterprise_id" in m]
        wanted = self._webhooks({str(m["enterprise_id"]) for m in messages})
        todo = []
        for message in messages:
            event_type = webhook_type(str(message["type"]))
            hooks = wanted.get(str(message["enterprise_id"]), [])
            chosen = [sid for sid, events in hooks if event_type in events]
            if chosen:
                todo.append((message, event_type, chosen))
        if not todo:  # most events have no subscriber: no write for those
            return
        now, rows = utcnow(), []
        with self.db.write() as session:
            for message, event_type, chosen in todo:
                if first_time(session, CONSUMER, int(message["message_id"])):
                    rows += [delivery_row(sid, event_type, message, now) for sid in chosen]
            if rows:
                session.execute(insert(table_of(WebhookDelivery)), rows)
        if rows:
            self.wake()

    def _webhooks(self, enterprises: set[str]) -> dict[str, list[tuple[str, list[str]]]]:
        """The active webhooks of ``enterprises``, with the events each wants."""
        if not enterprises:
            return {}
        query = select(
            WebhookSubscription.id, WebhookSubscription.enterprise_id, WebhookSubscription.events
        ).where(WebhookSubscription.enterprise_id.in_(enterprises), WebhookSubscription.active)
        found: dict[str, list[tuple[str, list[str]]]] = {}
        with self.db.read() as session:
            for row in session.execute(query):
                found.setdefault(row.enterprise_id, []).append((row.id, list(row.events)))
        return found
