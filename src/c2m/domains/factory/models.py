"""Factories, their machines, what the machines said (state log, telemetry) and job attempts.

The machine log and the attempts are the facts the gateway saw on the bus; planning and OEE read
them and never ask a machine directly.
"""

from __future__ import annotations

import enum
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime, value_enum
from c2m.kernel.files import FileStore
from c2m.kernel.ids import new_id

#: An autoincrementing 64-bit key that SQLite also numbers itself (its rowid is an INTEGER).
BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class AttemptStatus(enum.StrEnum):
    """How far one attempt got; it only ever moves forward (see ``RANK``)."""

    COMMANDED = "commanded"
    ACCEPTED = "accepted"
    STARTED = "started"
    DONE = "done"
    FAILED = "failed"
    ABORTED = "aborted"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def terminal(self) -> bool:
        return self.rank == _RANK[AttemptStatus.DONE]


_RANK = {
    AttemptStatus.COMMANDED: 0,
    AttemptStatus.ACCEPTED: 1,
    AttemptStatus.STARTED: 2,
    AttemptStatus.DONE: 3,
    AttemptStatus.FAILED: 3,
    AttemptStatus.ABORTED: 3,
}


class MachineEventKind(enum.StrEnum):
    STATE = "state"
    BIRTH = "birth"
    DEATH = "death"
    STALE_DEATH = "stale_death"
    TELEMETRY_GAP = "telemetry_gap"


class Factory(Base):
    """A plant owned by a micro-enterprise; its ``code`` is the factory level of MQTT topics."""

    __tablename__ = "factories"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return self.name


class Machine(Base):
    """A machine and what the platform last knew of it (session, state, telemetry counter)."""

    __tablename__ = "machines"
    __table_args__ = (UniqueConstraint("factory_id", "code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    factory_id: Mapped[str] = mapped_column(
        ForeignKey("factories.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120), default="")
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    speed: Mapped[float] = mapped_column(Float, default=1.0)
    hourly_rate: Mapped[int] = mapped_column(BigInteger, default=0)  # minor units per hour
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None: always available
    state: Mapped[MachineState] = mapped_column(
        value_enum(MachineState), default=MachineState.OFFLINE
    )
    state_reason: Mapped[str | None] = mapped_column(String(200))
    state_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    bd_seq: Mapped[int | None] = mapped_column(BigInteger)
    telemetry_seq: Mapped[int | None] = mapped_column(SmallInteger)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: argon2id of the machine's secret (see ``credentials``); None: it cannot fetch files.
    secret_hash: Mapped[str | None] = mapped_column(String(200))

    def __str__(self) -> str:
        return self.name or self.code


class MachineEvent(Base):
    """Append-only log of a machine: births, deaths, state changes with reasons, telemetry gaps.

    Availability (OEE) is the time between consecutive ``state`` rows, so downtime keeps its
    reason.
    """

    __tablename__ = "machine_events"
    __table_args__ = (Index("ix_machine_events_machine_id_at", "machine_id", "at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    machine_id: Mapped[str] = mapped_column(ForeignKey("machines.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[MachineEventKind] = mapped_column(value_enum(MachineEventKind))
    state: Mapped[MachineState | None] = mapped_column(value_enum(MachineState))
    previous: Mapped[MachineState | None] = mapped_column(value_enum(MachineState))
    reason: Mapped[str | None] = mapped_column(String(200))
    operation_id: Mapped[str | None] = mapped_column(String(120))
    bd_seq: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class TelemetrySample(Base):
    """One telemetry message in fixed columns; other readings (temperatures...) in ``extra``."""

    __tablename__ = "telemetry"
    __table_args__ = (Index("ix_telemetry_machine_id_at", "machine_id", "at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    machine_id: Mapped[str] = mapped_column(ForeignKey("machines.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    seq: Mapped[int] = mapped_column(SmallInteger)
    state: Mapped[str | None] = mapped_column(String(20))
    power_kw: Mapped[float | None] = mapped_column(Float)
    parts: Mapped[int | None] = mapped_column(BigInteger)
    operation_id: Mapped[str | None] = mapped_column(String(120))
    extra: Mapped[dict[str, float] | None] = mapped_column(JSON(none_as_null=True))


class JobAttempt(Base):
    """One attempt of an operation on one machine, as commanded and as the machine reported it.

    ``held`` means the machine died while the attempt was in flight and nobody knows yet whether
    it survived: it may be given to another machine only once it is ``aborted`` (the machine's
    next birth says so) or its lease has expired, under a new attempt id.
    """

    __tablename__ = "job_attempts"
    __table_args__ = (Index("ix_job_attempts_machine_id_status", "machine_id", "status"),)

    attempt_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    machine_id: Mapped[str] = mapped_column(ForeignKey("machines.id", ondelete="CASCADE"))
    operation_id: Mapped[str] = mapped_column(String(120), index=True)
    status: Mapped[AttemptStatus] = mapped_column(value_enum(AttemptStatus))
    percent: Mapped[int] = mapped_column(SmallInteger, default=0)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    bd_seq: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(200))
    #: What an inspection's ``done`` report measured: [{name, value, unit, piece}].
    measurements: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    #: What the ``done`` report says the attempt used: [{material, quantity, unit}].
    consumed: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    command: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    commanded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The planner lease it was commanded under; the database refuses a stale one (0009).
    epoch: Mapped[int | None] = mapped_column(BigInteger)


class ArtifactStore(enum.StrEnum):
    """Where an operation's file is kept: a folder of the data directory by this name."""

    UPLOADS = "uploads"  # the customer's uploaded part, as uploaded
    ARTIFACTS = "artifacts"  # generated for the operation from its configuration

    def under(self, data_dir: Path) -> FileStore:
        return FileStore(data_dir / self.value)


class JobArtifact(Base):
    """The file an operation is made from, recorded once with its hash: every attempt of the
    operation is sent the same bytes."""

    __tablename__ = "job_artifacts"

    operation_id: Mapped[str] = mapped_column(
        ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    )
    store: Mapped[ArtifactStore] = mapped_column(value_enum(ArtifactStore))
    name: Mapped[str] = mapped_column(String(32))  # in the store (kernel.files)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FactoryLease(Base):
    """Who plans and dispatches for a factory, and under which fencing epoch.

    The epoch grows by one at every change of leader. Plans and attempts carry the epoch they
    were made under, and a database trigger refuses one that is not the factory's current
    epoch, taking a share lock on this row so a takeover cannot commit in between.
    """

    __tablename__ = "factory_leases"

    factory_id: Mapped[str] = mapped_column(
        ForeignKey("factories.id", ondelete="CASCADE"), primary_key=True
    )
    epoch: Mapped[int] = mapped_column(BigInteger, default=0)
    holder: Mapped[str | None] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FactoryWorker(Base):
    """A running ``c2m worker`` and when it was last heard of, so leases go to live ones."""

    __tablename__ = "factory_workers"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
