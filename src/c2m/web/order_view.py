"""The order page's read model put together for the page: the orders domain's overview, with
what the domains above it know: how far the running steps are (planning) and the quoted parts'
thumbnails (quoting)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.materials.reservations import Waiting, waiting
from c2m.domains.orders import service as orders
from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import Order, OrderEvent
from c2m.domains.orders.overview import OrderOverview, overview
from c2m.domains.orders.promises import day_end
from c2m.domains.orders.states import PRODUCTION, OrderState
from c2m.domains.orders.steps import Step, follow, planned_steps, with_percent
from c2m.domains.planning.models import WorkOrderLine
from c2m.domains.planning.promises_kept import planned_finish
from c2m.domains.planning.step_percent import running_percent
from c2m.domains.quoting.models import Upload
from c2m.kernel.clock import utcnow
from c2m.web import links

#: Events read for one page; a timeline longer than this shows its first ones.
TIMELINE_LIMIT = 5000


@dataclass(frozen=True)
class OrderView:
    overview: OrderOverview
    thumbnails: dict[str, str]  # order line id -> the quoted part's picture
    #: When the plan now finishes the work, if that is after the promised day (running late).
    late_until: datetime | None = None
    #: Why, when a machine's breakdown put it back: the factory's last word on it.
    late_because: str | None = None
    #: The material its work waits for, the latest to arrive, while it is not yet in.
    waiting_for: Waiting | None = None


def order_view(session: Session, order: Order) -> OrderView:
    """Everything the order page shows of ``order`` (already checked as the reader's)."""
    events = orders.events_after(session, order.id, 0, limit=TIMELINE_LIMIT)
    seen = overview(session, order, events)
    with_percent(seen.steps, running_percent(session, order.id))
    thumbnails = {}
    for line in seen.lines:
        upload = session.get(Upload, line.upload_id) if line.upload_id else None
        if upload is not None and upload.thumbnail:
            thumbnails[line.line.id] = links.upload_thumbnail(upload.id)
    late_until, late_because = _running_late(session, order, seen.dates.promised, events)
    return OrderView(seen, thumbnails, late_until, late_because, _waiting_for(session, order))


def _waiting_for(session: Session, order: Order) -> Waiting | None:
    """The last of the materials the order's unstarted work waits for, if any."""
    if order.state is not OrderState.PAID and order.state not in PRODUCTION:
        return None
    works = select(WorkOrderLine.work_order_id).where(WorkOrderLine.order_id == order.id)
    waits = waiting(session, list(session.scalars(works)), utcnow())
    return max((w for ws in waits.values() for w in ws), key=lambda w: w.ready, default=None)


def _running_late(
    session: Session, order: Order, promised: date | None, events: Sequence[OrderEvent]
) -> tuple[datetime | None, str | None]:
    """The plan's finish when it falls after the promise, and the breakdown that caused it."""
    if promised is None or order.state in (OrderState.SHIPPED, OrderState.DELIVERED):
        return None, None
    finish = planned_finish(session, order.id)
    if finish is None or finish < day_end(promised):
        return None, None
    setbacks = [e for e in events if e.type in SETBACKS]
    return finish, _setback_words(setbacks[-1]) if setbacks else None


SETBACKS = (OrderEventType.MACHINE_DOWN, OrderEventType.ON_HOLD, OrderEventType.RESCHEDULED)


def _setback_words(event: OrderEvent) -> str:
    machine = (event.data or {}).get("machine")
    reason = (event.data or {}).get("reason")
    if machine:
        return f"machine {machine} broke down"
    return str(reason) if reason else "a machine broke down"


def live_steps(session: Session, order: Order) -> list[Step]:
    """The step list alone, for the page to refresh while the factory works."""
    events = orders.events_after(session, order.id, 0, limit=TIMELINE_LIMIT)
    steps = follow(planned_steps(order.lines), events)
    return with_percent(steps, running_percent(session, order.id))
