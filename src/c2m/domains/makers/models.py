"""A maker's public profile and what routing needs to know of each of its machines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
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


class RoutedJob(Base):
    """One part routed across makers: what is to be made, for whom (region) and by when.

    ``source`` says where the job came from (a quote's part, or the platform owner's own entry);
    ``state`` is ``offered`` while a maker holds an open offer, ``accepted`` once one took it,
    ``unplaced`` when every ranked maker declined, timed out, or none was able."""

    __tablename__ = "routed_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(120))
    #: The order line it makes (a paid quoted part); None for a job the platform owner entered.
    line_id: Mapped[str | None] = mapped_column(ForeignKey("order_lines.id"), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    capability: Mapped[str] = mapped_column(String(40))
    material: Mapped[str] = mapped_column(String(40))
    colour: Mapped[str] = mapped_column(String(40))
    size_x_mm: Mapped[float] = mapped_column(Float)
    size_y_mm: Mapped[float] = mapped_column(Float)
    size_z_mm: Mapped[float] = mapped_column(Float)
    tolerance_mm: Mapped[float] = mapped_column(Float)
    machine_hours: Mapped[float] = mapped_column(Float)
    volume_cm3: Mapped[float] = mapped_column(Float)
    customer_country: Mapped[str] = mapped_column(String(2))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), index=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RoutingReason(Base):
    """Why one maker stood where they did for one job: ranked n-th, or filtered out by what;
    a decline or a time-out is added to the ranked maker's line as it happens."""

    __tablename__ = "routing_reasons"

    job_id: Mapped[str] = mapped_column(
        ForeignKey("routed_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    maker_id: Mapped[str] = mapped_column(
        ForeignKey("maker_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int | None] = mapped_column(Integer)  # None: filtered out
    machine_id: Mapped[str | None] = mapped_column(String(32))
    price: Mapped[int | None] = mapped_column(BigInteger)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ship_days: Mapped[int | None] = mapped_column(Integer)
    #: The routing score and its parts (price, shipping, maker), as the engine ranked them.
    score: Mapped[list[float] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(1000))


class MakerOffer(Base):
    """The job offered to one maker's machine, and how the maker answered."""

    __tablename__ = "maker_offers"
    __table_args__ = (Index("ix_maker_offers_state_expires_at", "state", "expires_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(
        ForeignKey("routed_jobs.id", ondelete="CASCADE"), index=True
    )
    maker_id: Mapped[str] = mapped_column(
        ForeignKey("maker_profiles.id", ondelete="CASCADE"), index=True
    )
    machine_id: Mapped[str] = mapped_column(ForeignKey("machines.id", ondelete="CASCADE"))
    price: Mapped[int] = mapped_column(BigInteger)  # minor units of the maker's currency
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ship_by: Mapped[datetime] = mapped_column(UTCDateTime)  # the latest ready time still on time
    max_price: Mapped[int] = mapped_column(BigInteger)  # the highest counter the platform takes
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="")
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
