"""Made units: one row per piece a work order makes, with the serial it carries, and what each
inspection of it measured."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
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
    #: Its share of the energy its work order's machines drew (None: not measured), kept once
    #: its order ships (``footprint_at``), before the telemetry it comes from is deleted.
    energy_kwh: Mapped[float | None] = mapped_column(Float)
    footprint_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QualityRecord(Base):
    """One inspection of one unit: each dimension measured against its nominal value and
    tolerance, and whether the unit passed. A failed one is followed by a remake and a new
    inspection (another attempt), so a unit's latest record is the one it was delivered on."""

    __tablename__ = "quality_records"
    __table_args__ = (UniqueConstraint("unit_id", "attempt_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    attempt_id: Mapped[str] = mapped_column(String(64))  # the inspection's, as the machine ran it
    step: Mapped[str] = mapped_column(String(60))
    passed: Mapped[bool] = mapped_column(Boolean)
    #: [{name, label, value (None: not measured), nominal, tolerance, unit, within}]
    measurements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime)
