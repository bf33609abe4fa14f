"""A maker's public profile and what routing needs to know of each of its machines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime
from c2m.kernel.ids import new_id


class MakerProfile(Base):
    """One per maker: the person, their micro-enterprise and their workshop (a factory).

    ``display_name`` is the only name customers see. Whether the maker is on probation or
    active is not stored: it follows from the jobs done (``probation``); a suspension is.
    """

    __tablename__ = "maker_profiles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), unique=True
    )
    factory_id: Mapped[str] = mapped_column(
        ForeignKey("factories.id", ondelete="CASCADE"), unique=True
    )
    display_name: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2, where parts ship from
    region: Mapped[str] = mapped_column(String(80), default="")
    certificates: Mapped[list[str]] = mapped_column(JSON)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The platform owner's reason for the last suspension or reinstatement, and when and who.
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_changed_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return self.display_name


class MakerMachine(Base):
    """The maker-only facts of a machine; capabilities, price per hour (``hourly_rate``) and
    the working calendar stay on the factory's machine, where planning reads them."""

    __tablename__ = "maker_machines"

    machine_id: Mapped[str] = mapped_column(
        ForeignKey("machines.id", ondelete="CASCADE"), primary_key=True
    )
    maker_id: Mapped[str] = mapped_column(
        ForeignKey("maker_profiles.id", ondelete="CASCADE"), index=True
    )
    material: Mapped[str] = mapped_column(String(40))
    colour: Mapped[str] = mapped_column(String(40))
    build_x_mm: Mapped[float] = mapped_column(Float)
    build_y_mm: Mapped[float] = mapped_column(Float)
    build_z_mm: Mapped[float] = mapped_column(Float)
    tolerance_mm: Mapped[float] = mapped_column(Float)
    price_per_cm3: Mapped[int] = mapped_column(BigInteger, default=0)  # minor units per cm³
