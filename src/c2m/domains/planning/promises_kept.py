"""Whether a factory keeps its promises: the orders it shipped lately by the date their
customers were promised, and the open ones its plan has finishing after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import OrderEvent
from c2m.domains.orders.promises import day_end, promises
from c2m.domains.planning.models import OPEN, Operation, WorkOrder, WorkOrderLine

WINDOW = timedelta(days=7)
SHOWN_LATE = 5


@dataclass(frozen=True)
class Late:
    """An open order the plan finishes after its promise."""

    order_id: str
    promised: date
    planned_end: datetime


@dataclass(frozen=True)
class PromisesKept:
    shipped: int  # orders with a promise shipped within the window
    on_time: int  # of them, shipped by the end of the promised day
    late: tuple[Late, ...]  # open orders planned to finish after their promise, latest first

    @property
    def rate(self) -> float | None:
        return self.on_time / self.shipped if self.shipped else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_days": WINDOW.days,
            "shipped": self.shipped,
            "on_time": self.on_time,
            "rate": self.rate,
            "planned_late": len(self.late),
            "late": [
                {
                    "order": late.order_id,
                    "promised": late.promised.isoformat(),
                    "planned_end": late.planned_end.isoformat(),
                }
                for late in self.late[:SHOWN_LATE]
            ],
        }


def promises_kept(session: Session, factory_id: str, now: datetime) -> PromisesKept:
    made_here = (
        select(WorkOrderLine.order_id)
        .join(WorkOrder, WorkOrder.id == WorkOrderLine.work_order_id)
        .where(WorkOrder.factory_id == factory_id)
    )
    shipped = dict(
        session.execute(
            select(OrderEvent.order_id, func.min(OrderEvent.at))
            .where(
                OrderEvent.type == OrderEventType.SHIPPED,
                OrderEvent.order_id.in_(made_here),
            )
            .group_by(OrderEvent.order_id)
            .having(func.min(OrderEvent.at) >= now - WINDOW)
        ).all()
    )
    planned = dict(
        session.execute(
            select(WorkOrderLine.order_id, func.max(Operation.planned_end))
            .join(Operation, Operation.work_order_id == WorkOrderLine.work_order_id)
            .where(Operation.factory_id == factory_id, Operation.status.in_(OPEN))
            .group_by(WorkOrderLine.order_id)
        ).all()
    )
    promised = promises(session, {*shipped, *planned})
    kept = [shipped[o] < day_end(promised[o]) for o in shipped if o in promised]
    late = [
        Late(order_id, promised[order_id], end)
        for order_id, end in planned.items()
        if end is not None and order_id in promised and end >= day_end(promised[order_id])
    ]
    late.sort(key=lambda found: found.planned_end - day_end(found.promised), reverse=True)
    return PromisesKept(len(kept), sum(kept), tuple(late))


def planned_finish(session: Session, order_id: str) -> datetime | None:
    """When the current plan finishes the order's work; None when none is left to plan."""
    return session.scalar(
        select(func.max(Operation.planned_end))
        .join(WorkOrderLine, WorkOrderLine.work_order_id == Operation.work_order_id)
        .where(WorkOrderLine.order_id == order_id, Operation.status.in_(OPEN))
    )
