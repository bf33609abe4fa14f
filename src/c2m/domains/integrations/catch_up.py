"""What the webhooks handler missed: a handler that fails (the database away for a moment, a
bug) loses its message, since the relay publishes each once. The timeline is the record, so
events of the last day that an active webhook wants and has no delivery of are found again,
once their outbox messages have been published for a settling time (the handler has had its
chance: a relay that lags behind is not raced)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.exc import IntegrityError

from c2m.domains.integrations.catalogue import PREFIX, webhook_type
from c2m.domains.integrations.fanout import delivery_row
from c2m.domains.integrations.models import WebhookDelivery, WebhookSubscription
from c2m.domains.orders.models import Order, OrderEvent
from c2m.domains.orders.schemas import EventOut
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database, table_of
from c2m.kernel.health import outbox_lag

log = logging.getLogger(__name__)
SETTLE = timedelta(minutes=1)
MARGIN = timedelta(seconds=5)  # an event's time may come a little before its message's
WINDOW = timedelta(days=1)


def catch_up(db: Database, now: datetime, limit: int = 500) -> int:
    """Write the missing deliveries of the timeline events of the day before ``now``; how
    many. Each is its own transaction: one the handler wrote meanwhile is skipped."""
    active = select(WebhookSubscription.events).where(WebhookSubscription.active)
    lag = timedelta(seconds=outbox_lag(db))
    horizon = now - max(SETTLE, lag + MARGIN)
    with db.read() as session:
        wanted = {
            kind.removeprefix(PREFIX) for events in session.scalars(active) for kind in events
        }
        if not wanted:
            return 0
        subscription = WebhookSubscription
        delivered = exists().where(
            WebhookDelivery.subscription_id == subscription.id,
            WebhookDelivery.order_id == OrderEvent.order_id,
            WebhookDelivery.seq == OrderEvent.seq,
        )
        query = (
            select(OrderEvent, Order.customer_id, Order.enterprise_id)
            .add_columns(subscription.id, subscription.events)
            .join(Order, Order.id == OrderEvent.order_id)
            .join(
                subscription,
                and_(
                    subscription.enterprise_id == Order.enterprise_id,
                    subscription.active,
                    OrderEvent.at >= subscription.active_since,
                ),
            )
            .where(
                OrderEvent.type.in_(sorted(wanted)),
                OrderEvent.at >= now - WINDOW,
                OrderEvent.at < horizon,
                ~delivered,
            )
            .order_by(OrderEvent.at)
            .limit(limit)
        )
        missing: list[tuple[str, str, dict[str, Any]]] = []
        for event, customer_id, enterprise_id, subscription_id, events in session.execute(query):
            event_type = webhook_type(event.type)
            if event_type in events:
                message = {
                    **EventOut.model_validate(event).model_dump(mode="json"),
                    "order_id": event.order_id,
                    "customer_id": customer_id,
                    "enterprise_id": enterprise_id,
                }
                missing.append((subscription_id, event_type, message))
    written = 0
    for subscription_id, event_type, message in missing:
        try:
            with db.write() as session:
                row = delivery_row(subscription_id, event_type, message, utcnow())
                session.execute(insert(table_of(WebhookDelivery)), [row])
            written += 1
        except IntegrityError:  # the handler wrote it after all
            continue
    if written:
        log.warning("webhooks caught up with %d deliveries their handler missed", written)
    return written
