"""The order page's read model put together for the page: the orders domain's overview, with
what the domains above it know: how far the running steps are (planning) and the quoted parts'
thumbnails (quoting)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from c2m.domains.orders import service as orders
from c2m.domains.orders.models import Order
from c2m.domains.orders.overview import OrderOverview, overview
from c2m.domains.orders.steps import Step, follow, planned_steps, with_percent
from c2m.domains.planning.step_percent import running_percent
from c2m.domains.quoting.models import Upload
from c2m.web import links

#: Events read for one page; a timeline longer than this shows its first ones.
TIMELINE_LIMIT = 5000


@dataclass(frozen=True)
class OrderView:
    overview: OrderOverview
    thumbnails: dict[str, str]  # order line id -> the quoted part's picture


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
    return OrderView(seen, thumbnails)


def live_steps(session: Session, order: Order) -> list[Step]:
    """The step list alone, for the page to refresh while the factory works."""
    events = orders.events_after(session, order.id, 0, limit=TIMELINE_LIMIT)
    steps = follow(planned_steps(order.lines), events)
    return with_percent(steps, running_percent(session, order.id))
