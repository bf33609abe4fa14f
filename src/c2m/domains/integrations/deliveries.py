"""Deliveries as the senders work them: claimed by one sender at a time, each attempt logged,
retried on the schedule; a subscription that keeps failing is disabled and its owner told why.

A claim is a lease (``lease_until``) taken under ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and
in SQLite's single write transaction, so two senders never hold the same delivery at once. A
result counts only if no one recorded that attempt before (the attempt number is the fence).
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from c2m.domains.integrations.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from c2m.domains.integrations.schedule import RetrySchedule
from c2m.kernel.db import table_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """A claimed attempt: what the sender needs, without database objects."""

    delivery_id: str
    subscription_id: str
    url: str
    secret_salt: str
    payload: dict[str, Any]
    number: int  # this attempt's number, 1 for the first
    replays: int  # replays asked for when it was claimed: one asked since wins over its result


@dataclass(frozen=True)
class Outcome:
    """What a receiver did with one attempt."""

    status_code: int | None
    duration_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        return self.error or f"the receiver answered {self.status_code}"


@dataclass(frozen=True)
class Policy:
    """How hard to try: the retry schedule and how long failures may last before disabling."""

    schedule: RetrySchedule
    disable_after: timedelta
    lease: timedelta


def claim(
    session: Session,
    now: datetime,
    limit: int,
    per_subscription: int,
    busy: dict[str, int],
    lease: timedelta,
) -> list[Due]:
    """Lease up to ``limit`` due deliveries of active subscriptions, at most
    ``per_subscription`` in flight for any one (``busy``: how many this sender already holds),
    so a receiver that hangs holds a few of the sender's slots, never all of them."""
    full = [sid for sid, count in busy.items() if count >= per_subscription]
    query = (
        select(WebhookDelivery, WebhookSubscription.url, WebhookSubscription.secret_salt)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
            WebhookSubscription.active,
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    if full:
        query = query.where(WebhookDelivery.subscription_id.not_in(full))
    taken: dict[str, int] = dict(busy)
    chosen: list[Due] = []
    for delivery, url, salt in session.execute(query):
        if taken.get(delivery.subscription_id, 0) >= per_subscription:
            continue
        taken[delivery.subscription_id] = taken.get(delivery.subscription_id, 0) + 1
        chosen.append(
            Due(
                delivery.id,
                delivery.subscription_id,
                url,
                salt,
                delivery.payload,
                delivery.attempts + 1,
                delivery.replays,
            )
        )
    if chosen:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_([due.delivery_id for due in chosen]))
            .values(lease_until=now + lease)
        )
    return chosen


def record_all(
    session: Session,
    results: list[tuple[Due, Outcome]],
    now: datetime,
    policy: Policy,
    rng: random.Random,
) -> None:
    """Record a batch of attempts: the accepted ones in a statement per attempt number, their
    log rows and their webhooks' health together; anything else (a failure, a replay asked
    for while it was in flight, an attempt recorded before) by :func:`record`."""
    logged, healthy = [], set()
    delivered = _delivered(session, [due for due, outcome in results if outcome.ok], now)
    for due, outcome in results:
        if outcome.ok and due.delivery_id in delivered:
            logged.append(_attempt_row(due, outcome, now))
            healthy.add(due.subscription_id)
        else:
            record(session, due, outcome, now, policy, rng)
    if logged:
        session.execute(insert(table_of(WebhookAttempt)), logged)
    if healthy:
        subscriptions_table = table_of(WebhookSubscription)
        session.execute(
            update(subscriptions_table)
            .where(
                subscriptions_table.c.id.in_(sorted(healthy)),
                subscriptions_table.c.failing_since.is_not(None),
            )
            .values(failing_since=None)
        )


def _delivered(session: Session, accepted: list[Due], now: datetime) -> set[str]:
    """Mark accepted attempts' deliveries delivered, unless replayed or recorded since: one
    statement per (attempt number, replays), which is one for a batch of first attempts; the
    ids it marked."""
    deliveries = table_of(WebhookDelivery)
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for due in accepted:
        groups[due.number, due.replays].append(due.delivery_id)
    marked: set[str] = set()
    for (number, replays), ids in groups.items():
        marked.update(
            session.scalars(
                update(deliveries)
                .where(
                    deliveries.c.id.in_(ids),
                    deliveries.c.attempts == number - 1,
                    deliveries.c.replays == replays,
                )
                .values(
                    attempts=number,
                    lease_until=None,
                    status=DeliveryStatus.DELIVERED,
                    delivered_at=now,
                    next_attempt_at=None,
                )
                .returning(deliveries.c.id)
            )
        )
    return marked


def _attempt_row(due: Due, outcome: Outcome, now: datetime) -> dict[str, Any]:
    return {
        "delivery_id": due.delivery_id,
        "number": due.number,
        "at": now,
        "status_code": outcome.status_code,
        "duration_ms": outcome.duration_ms,
        "error": outcome.error,
    }


def record(
    session: Session, due: Due, outcome: Outcome, now: datetime, policy: Policy, rng: random.Random
) -> None:
    """Log one attempt and decide what follows; nothing if the attempt was recorded before."""
    fenced = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == due.delivery_id, WebhookDelivery.attempts == due.number - 1)
        .values(attempts=due.number, lease_until=None)
    )
    if fenced.rowcount != 1:  # type: ignore[attr-defined]
        return
    session.add(WebhookAttempt(**_attempt_row(due, outcome, now)))
    delivery = session.get(WebhookDelivery, due.delivery_id)
    assert delivery is not None  # the fenced update found it in this transaction
    if outcome.ok:
        session.execute(
            update(WebhookSubscription)
            .where(
                WebhookSubscription.id == due.subscription_id,
                WebhookSubscription.failing_since.is_not(None),
            )
            .values(failing_since=None)
        )
    else:
        _count_failure(session, due.subscription_id, outcome, now, policy)
    if delivery.replays != due.replays:  # replayed while in flight: the replay is still owed
        delivery.round_start = due.number
    elif outcome.ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
        delivery.next_attempt_at = None
    else:
        wait = policy.schedule.after_failure(delivery.attempts - delivery.round_start, rng)
        if wait is None:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + wait
    session.flush()


def _count_failure(
    session: Session, subscription_id: str, outcome: Outcome, now: datetime, policy: Policy
) -> None:
    """One more failure of the webhook: disabled once they have lasted long enough."""
    subscription = session.get(WebhookSubscription, subscription_id, with_for_update=True)
    if subscription is None:
        return
    subscription.failing_since = subscription.failing_since or now
    if subscription.active and now - subscription.failing_since >= policy.disable_after:
        _disable(subscription, outcome, now)


def _disable(subscription: WebhookSubscription, outcome: Outcome, now: datetime) -> None:
    """Stop delivering; the owner reads why on the subscription and enables it again."""
    failing = now - subscription.failing_since if subscription.failing_since else timedelta()
    subscription.active = False
    subscription.disabled_at = now
    subscription.disabled_reason = (
        f"Disabled on {now:%Y-%m-%d at %H:%M} UTC because every delivery failed for "
        f"{_span(failing)} (the last: {outcome.describe()}). Fix the receiver, then enable the "
        "webhook again: deliveries that were waiting will be sent."
    )
    log.warning("webhook %s disabled: %s", subscription.id, subscription.disabled_reason)


def _span(duration: timedelta) -> str:
    hours = duration.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours >= 2 else f"{duration.total_seconds():.0f} seconds"


def finished_before(moment: datetime) -> ColumnElement[bool]:
    """Deliveries done with (delivered, or failed for good) and created before ``moment``:
    what retention deletes, their attempts with them."""
    return and_(
        WebhookDelivery.status.in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]),
        WebhookDelivery.created_at < moment,
    )
