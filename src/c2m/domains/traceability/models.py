"""Made units: one row per piece a work order makes, with the serial it carries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from c2m.kernel.db import Base, UTCDateTime
from c2m.kernel.ids import new_id


class Unit(Base):
    """A piece being made or made: a work order for N pieces has N units, numbered 1..N."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("work_order_id", "number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id"))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
