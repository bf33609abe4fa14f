"""Orders, their lines, the append-only timeline, payments and payment-provider callbacks."""

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
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from c2m.domains.orders.states import OrderState
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime, value_enum
from c2m.kernel.ids import new_id


class Order(Base):
    __tablename__ = "orders"
    # A customer's orders before a date: the scorecard's returning customers (migration 0022).
    __table_args__ = (Index("ix_orders_customer_id_created_at", "customer_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), index=True)
    state: Mapped[OrderState] = mapped_column(value_enum(OrderState))
    held_from: Mapped[OrderState | None] = mapped_column(value_enum(OrderState))
    # A pre-order is not to be made until its batch is released (see circles.batches).
    awaits_release: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Made by independent makers (quoted parts of a service that routes to them): each line
    # becomes a routed job, and a maker's workshop plans it once the maker accepts.
    to_makers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(BigInteger)  # minor units: 10,000 x EUR 1M overflows int32
    captured: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    share_key: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="selectin", order_by="OrderLine.position"
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"Order {self.id[:8]} ({self.state})"


class OrderLine(Base):
    __tablename__ = "order_lines"
    # An order's lines with what the scorecard's products need, from the index alone; the
    # designed ones found by template (migration 0022). A partial index would need dialect
    # arguments, which load both SQL dialects when the models are imported.
    __table_args__ = (
        Index(
            "ix_order_lines_order_id_product",
            "order_id",
            "product_id",
            "position",
            "quantity",
            "unit_price",
        ),
        Index("ix_order_lines_designed", "template_id", "order_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    product_name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    configuration: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Lines designed with a template keep what production needs, as it was when ordered.
    template_id: Mapped[str | None] = mapped_column(ForeignKey("product_templates.id"))
    template_version: Mapped[int | None] = mapped_column(Integer)
    pricing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    routing: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    #: What its pieces take from stock (catalog.bills), kept as ordered like the routing.
    bill: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(Base):
    """One row per thing that happened to an order; never updated, never deleted."""

    __tablename__ = "order_events"
    # The scorecard reads a span's deliveries, then when each was paid, from these indexes
    # alone (migration 0015).
    __table_args__ = (
        UniqueConstraint("order_id", "seq"),
        Index("ix_order_events_type_at_order_id", "type", "at", "order_id"),
        Index("ix_order_events_type_order_id_at", "type", "order_id", "at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(60))
    state: Mapped[OrderState] = mapped_column(value_enum(OrderState))
    progress: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    provider_ref: Mapped[str] = mapped_column(String(100), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentStatus] = mapped_column(value_enum(PaymentStatus))
    last_callback_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentCallback(Base):
    """Provider callbacks already handled, by the provider's event id: repeats are ignored."""

    __tablename__ = "payment_callbacks"

    provider_event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
