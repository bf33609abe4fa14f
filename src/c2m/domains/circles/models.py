"""Circles of users around a product template, what they ask for, and what is made of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime, value_enum
from c2m.kernel.ids import new_id


class Visibility(enum.StrEnum):
    PUBLIC = "public"  # anyone reads; members take part
    MEMBERS = "members"  # the title is listed; everything inside is for members


class ReactionKind(enum.StrEnum):
    VOTE = "vote"
    FOLLOW = "follow"


class BatchStatus(enum.StrEnum):
    OPEN = "open"
    RELEASED = "released"
    EXPIRED = "expired"


class Circle(Base):
    __tablename__ = "circles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), index=True)
    template_id: Mapped[str] = mapped_column(ForeignKey("product_templates.id"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(value_enum(Visibility))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CircleMember(Base):
    __tablename__ = "circle_members"
    __table_args__ = (UniqueConstraint("circle_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Demand(Base):
    """What one member asks for: a (possibly partial) configuration, their words, a picture."""

    __tablename__ = "circle_demands"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    configuration: Mapped[dict[str, Any]] = mapped_column(JSON)
    words: Mapped[str] = mapped_column(Text, default="")
    picture: Mapped[str | None] = mapped_column(String(20))  # its media type, if one was added
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AggregationRun(Base):
    """One aggregation of a circle's demands: the pictures and every demand's model."""

    __tablename__ = "circle_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    template_version: Mapped[int] = mapped_column(Integer)
    coverage: Mapped[float] = mapped_column(Float)
    curve: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    map: Mapped[dict[str, Any]] = mapped_column(JSON)
    # demand id -> {"model": position, "within": bool, "summary": str, "differences": [...]}
    assignments: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Proposal(Base):
    """One model of a run, offered to the circle."""

    __tablename__ = "circle_proposals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("circle_runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    configuration: Mapped[dict[str, Any]] = mapped_column(JSON)
    demands: Mapped[int] = mapped_column(Integer)
    covered_share: Mapped[float] = mapped_column(Float)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class Comment(Base):
    __tablename__ = "circle_comments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(32), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reaction(Base):
    """A vote or a follow; the unique key makes a second one impossible, even in a race."""

    __tablename__ = "circle_reactions"
    __table_args__ = (UniqueConstraint("item_id", "kind", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[ReactionKind] = mapped_column(value_enum(ReactionKind))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PreorderBatch(Base):
    """Pre-orders of one proposal, made together once enough are paid before the deadline."""

    __tablename__ = "circle_batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    proposal_id: Mapped[str] = mapped_column(ForeignKey("circle_proposals.id"), unique=True)
    threshold: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[BatchStatus] = mapped_column(value_enum(BatchStatus), index=True)
    design_id: Mapped[str | None] = mapped_column(ForeignKey("designs.id"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Preorder(Base):
    """Marks an order as part of a batch: production waits until the batch is released."""

    __tablename__ = "circle_preorders"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    batch_id: Mapped[str] = mapped_column(ForeignKey("circle_batches.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
