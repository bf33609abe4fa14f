"""Work orders (one per order line, or one per released pre-order batch), the lines they make
pieces for, their operations as planned and run, and the plans made."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime, value_enum
from c2m.kernel.ids import new_id


class OperationStatus(enum.StrEnum):
    WAITING = "waiting"  # to be planned (new, or its attempt was lost)
    PLANNED = "planned"  # has a machine and times, not yet commanded
    DISPATCHED = "dispatched"  # commanded under ``attempt_id``, not started
    RUNNING = "running"
    HELD = "held"  # its machine died mid-job; waits until the attempt is known lost
    DONE = "done"
    CANCELLED = "cancelled"


#: Operations a machine is busy with (no second command is sent to it meanwhile).
ON_MACHINE = (OperationStatus.DISPATCHED, OperationStatus.RUNNING, OperationStatus.HELD)
#: Operations still to finish.
OPEN = (OperationStatus.WAITING, OperationStatus.PLANNED, *ON_MACHINE)


class WorkOrder(Base):
    """What the factory makes in one go: the pieces of one order line, or of every paid
    pre-order of a released batch (one model, so one routing for all its pieces). The lines it
    makes pieces for, and so the orders it serves, are its :class:`WorkOrderLine` rows."""

    __tablename__ = "work_orders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    #: The order of ``line_id``, written for processes of the previous release, which read it
    #: (migration 0026); which orders a work order serves, its lines say.
    first_order_id: Mapped[str] = mapped_column("order_id", ForeignKey("orders.id"), index=True)
    #: The line whose product and configuration it makes (a batch's first pre-order's).
    line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"), unique=True)
    factory_id: Mapped[str] = mapped_column(ForeignKey("factories.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    rush: Mapped[bool] = mapped_column(Boolean, default=False)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Opened outside the planner's round (a batch's settler): its next round takes it as new
    #: work, so it is planned without waiting for another reason to plan. Indexed: every round
    #: asks for the few that are.
    awaits_planner: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkOrderLine(Base):
    """An order line a work order makes ``quantity`` pieces for; a line is made by one work
    order. Pieces are numbered across the work order, its lines taken by ``position``."""

    __tablename__ = "work_order_lines"

    line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"), primary_key=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id"), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)


class Operation(Base):
    """One routing step of a work order: where and when it is planned, how it went."""

    __tablename__ = "operations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id"), index=True)
    factory_id: Mapped[str] = mapped_column(ForeignKey("factories.id"), index=True)
    step: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    capability: Mapped[str] = mapped_column(String(40))
    minutes: Mapped[int] = mapped_column(Integer)  # nominal, for the whole quantity
    predecessors: Mapped[list[str]] = mapped_column(JSON)  # steps of the same work order
    status: Mapped[OperationStatus] = mapped_column(value_enum(OperationStatus), index=True)
    machine_id: Mapped[str | None] = mapped_column(ForeignKey("machines.id"))
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the last plan expected the step's material (None: it had all of it); material
    #: that comes earlier frees the work order to be planned afresh.
    material_ready: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempt_id: Mapped[str | None] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    remakes: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Plan(Base):
    """One run of the planner over a factory: why, how big, how good, how much it moved."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    factory_id: Mapped[str] = mapped_column(ForeignKey("factories.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reason: Mapped[str] = mapped_column(String(200))
    operations: Mapped[int] = mapped_column(Integer)
    moved: Mapped[int] = mapped_column(Integer)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    solver: Mapped[str] = mapped_column(String(40))
    seconds: Mapped[float] = mapped_column(Float)
    #: The planner lease it was made under; the database refuses a stale one (0009).
    epoch: Mapped[int | None] = mapped_column(BigInteger)
