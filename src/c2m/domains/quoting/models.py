"""Quoting services of micro-enterprises, uploaded parts, instant quotes and requests for quote."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime, value_enum
from c2m.kernel.ids import new_id


class QuotingService(Base):
    """A micro-enterprise that quotes uploaded parts: its editable cost tables, and the
    catalog product that orders of accepted quotes are lines of."""

    __tablename__ = "quoting_services"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    tables: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None: the default tables
    #: Its parts are made by independent makers (routed and offered), not in its own factory.
    to_makers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class UploadStatus(enum.StrEnum):
    ANALYSED = "analysed"
    REFUSED = "refused"


class Upload(Base):
    """One uploaded file, kept under a generated name; the user's name is only shown."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[UploadStatus] = mapped_column(value_enum(UploadStatus))
    format: Mapped[str | None] = mapped_column(String(20))
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    refusal_code: Mapped[str | None] = mapped_column(String(40))
    refusal: Mapped[str | None] = mapped_column(Text)
    thumbnail: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Quote(Base):
    """A price for one upload in one process, material and quantity, with ship dates per tier.

    Amounts are in minor units; ``unit_price`` and ``total`` are None when a person must review
    the part (a blocking DFM finding).
    """

    __tablename__ = "quotes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), index=True)
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), index=True)
    process: Mapped[str] = mapped_column(String(10))
    material: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    manual_review: Mapped[bool] = mapped_column(Boolean)
    unit_price: Mapped[int | None] = mapped_column(BigInteger)
    total: Mapped[int | None] = mapped_column(BigInteger)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # findings, breaks, tiers, cost
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RfqStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class Rfq(Base):
    """A request for a manual quote: a message and files to the micro-enterprise's inbox."""

    __tablename__ = "rfqs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    upload_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[RfqStatus] = mapped_column(value_enum(RfqStatus), default=RfqStatus.OPEN)
    answer: Mapped[str | None] = mapped_column(Text)
    answer_price: Mapped[int | None] = mapped_column(BigInteger)  # minor units, whole request
    answer_ship_date: Mapped[date | None] = mapped_column(Date)
    answered_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
