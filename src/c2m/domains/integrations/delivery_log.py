"""What an owner sees of a webhook's deliveries and does with them: the list, one delivery
with the log of its attempts, and a replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.integrations import subscriptions
from c2m.domains.integrations.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import Conflict, NotFound
from c2m.kernel.keyset import Window, select_page


def load_delivery(
    session: Session,
    actor: Actor,
    subscription_id: str,
    delivery_id: str,
    *,
    for_update: bool = False,
) -> WebhookDelivery:
    subscriptions.load(session, actor, subscription_id)
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=for_update)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise NotFound("There is no such delivery of this webhook.")
    return delivery


def list_deliveries(
    session: Session,
    actor: Actor,
    subscription_id: str,
    *,
    status: DeliveryStatus | None,
    window: Window,
) -> list[WebhookDelivery]:
    """The subscription's deliveries, oldest first, one page."""
    subscriptions.load(session, actor, subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    page = select_page(query, window, WebhookDelivery.created_at, WebhookDelivery.id)
    return list(session.scalars(page))


def attempts_of(session: Session, delivery_id: str) -> list[WebhookAttempt]:
    query = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.number)
    )
    return list(session.scalars(query))


def replay(
    session: Session, actor: Actor, subscription_id: str, delivery_id: str, now: datetime
) -> WebhookDelivery:
    """Send a delivery again now, with a fresh retry schedule, whatever became of it."""
    delivery = load_delivery(session, actor, subscription_id, delivery_id, for_update=True)
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or not subscription.active:
        raise Conflict("This webhook is disabled: enable it first, then replay.")
    delivery.status = DeliveryStatus.PENDING
    delivery.round_start = delivery.attempts
    delivery.replays += 1
    delivery.next_attempt_at = now
    session.flush()
    return delivery
