"""Webhook subscriptions, one delivery per (timeline event, subscription), and the log of every
attempt to deliver it; the phones that asked for an order's news, and the notifications (Web
Push, e-mail) waiting to be sent."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime, value_enum
from c2m.kernel.ids import new_id


def new_message_id() -> str:
    """A delivery's ``webhook-id``: the same on every retry, so receivers can deduplicate."""
    return f"msg_{new_id()}"


class WebhookSubscription(Base):
    """An enterprise's receiver URL and the event types it wants.

    The signing secret is not stored: it is derived from ``C2M_SECRET_KEY`` and ``secret_salt``
    (see ``secrets``), so a copy of the database alone cannot forge deliveries.
    """

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    secret_salt: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # for catch-up
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt of the schedule failed; a replay starts it again


class WebhookDelivery(Base):
    """One timeline event for one subscription; its ``id`` is the ``webhook-id`` header."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "order_id", "seq"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_finished", "status", "created_at"),  # for retention
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=new_message_id)
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(value_enum(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    round_start: Mapped[int] = mapped_column(Integer, default=0)  # attempts before a replay
    replays: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookAttempt(Base):
    """One POST to the receiver: what it answered (or why nothing came back) and how fast."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))


class PushSubscription(Base):
    """A phone's browser that asked for one order's news (Web Push): where to send it and the
    keys to encrypt it with. Deleted when the push service says the browser is gone."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (UniqueConstraint("order_id", "endpoint"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000))
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Channel(enum.StrEnum):
    PUSH = "push"
    MAIL = "mail"


class OutgoingNotification(Base):
    """A push or an e-mail not sent yet: written with the outbox message that made it, deleted
    once sent (or refused for good), so a worker that dies before sending loses nothing.
    ``due_at`` is when it may be taken next, pushed ahead by a sender's claim (its lease)."""

    __tablename__ = "outgoing_notifications"
    __table_args__ = (Index("ix_outgoing_notifications_due", "channel", "due_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # what to send, as the sender reads it
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # started, the last one's fence
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
