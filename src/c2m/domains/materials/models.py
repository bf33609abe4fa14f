"""Materials, the lots a factory holds or awaits, and what work orders have reserved of them.

Quantities are integers in thousandths of the material's unit (``MILLI``): exact on SQLite and
PostgreSQL alike, as the bill of materials computes them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime, value_enum
from c2m.kernel.ids import new_id

MILLI = 1000  # stored quantities per unit of the material


def to_milli(quantity: Decimal) -> int:
    return int(quantity * MILLI)


def from_milli(stored: int) -> Decimal:
    return Decimal(stored).scaleb(-3)


class Material(Base):
    """A material or component a micro-enterprise stocks, under the key its templates' bills
    of materials name; reordered when a factory's free stock falls below ``reorder_point``."""

    __tablename__ = "materials"
    __table_args__ = (UniqueConstraint("enterprise_id", "key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"))
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(20))
    reorder_point: Mapped[int] = mapped_column(BigInteger, default=0)  # thousandths
    reorder_quantity: Mapped[int] = mapped_column(BigInteger, default=0)  # thousandths
    supplier: Mapped[str] = mapped_column(String(120), default="")
    lead_days: Mapped[int] = mapped_column(Integer, default=7)  # the supplier's, order to dock


class StockLot(Base):
    """A quantity of a material in a factory: on hand once ``arrived_at`` is set, on its way
    (a purchase, due ``expected_at``) before. ``remaining`` is what is still physically there
    or coming; what is reserved of it, the reservations say."""

    __tablename__ = "stock_lots"
    __table_args__ = (
        UniqueConstraint("factory_id", "material_id", "code"),
        CheckConstraint("remaining >= 0", name="remaining_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    material_id: Mapped[str] = mapped_column(ForeignKey("materials.id"), index=True)
    factory_id: Mapped[str] = mapped_column(ForeignKey("factories.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))  # the supplier's lot or delivery number
    quantity: Mapped[int] = mapped_column(BigInteger)  # as received (or ordered), thousandths
    remaining: Mapped[int] = mapped_column(BigInteger)
    expected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReservationStatus(enum.StrEnum):
    RESERVED = "reserved"
    CONSUMED = "consumed"
    RELEASED = "released"  # the work was cancelled


class Reservation(Base):
    """What one step of a work order takes of a material: held against a lot (on hand or on
    its way), or short (``lot_id`` None) until stock or a purchase covers it."""

    __tablename__ = "stock_reservations"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    material_id: Mapped[str] = mapped_column(ForeignKey("materials.id"))
    factory_id: Mapped[str] = mapped_column(ForeignKey("factories.id"))
    work_order_id: Mapped[str] = mapped_column(String(32), index=True)
    step: Mapped[str] = mapped_column(String(60))
    lot_id: Mapped[str | None] = mapped_column(ForeignKey("stock_lots.id"), index=True)
    quantity: Mapped[int] = mapped_column(BigInteger)  # thousandths
    status: Mapped[ReservationStatus] = mapped_column(
        value_enum(ReservationStatus), default=ReservationStatus.RESERVED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
