"""Paid orders of a quoting service that sends its parts to makers: each line becomes a routed
job, routed across the makers and offered to the first ranked (``offers.route_job``).

Found by asking the database (paid lines without a job), like the planner's work orders, so a
payment made while no worker ran is routed when one comes back; a line is routed once (the
job's ``line_id`` is unique, and on PostgreSQL concurrent sweeps skip each other's orders).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.makers.models import RoutedJob
from c2m.domains.makers.offers import MAX_LEAD, OFFERED, route_job
from c2m.domains.orders.models import Order, OrderLine
from c2m.domains.orders.states import OrderState
from c2m.domains.planning.work_orders import routing_of
from c2m.domains.quoting.models import Quote, Upload
from c2m.engines.routing.model import ANY_COLOUR

log = logging.getLogger(__name__)
#: The tolerance a quoted part asks of its maker, by capability (ISO 2768-m-like for each
#: process): a maker's machine that holds less is filtered out.
TOLERANCE_MM = {"fdm-print": 0.3, "sla-print": 0.1, "sls-print": 0.2, "cnc-mill": 0.05}
DEFAULT_TOLERANCE_MM = 0.3
#: A part whose promised ship date is nearer than this is still given this long to be made.
MIN_LEAD = timedelta(days=1)


def route_paid_parts(session: Session, now: datetime, ship_to: str, limit: int = 50) -> int:
    """Route every line of paid orders made by makers that has no job yet; how many."""
    routed = select(RoutedJob.line_id).where(RoutedJob.line_id.is_not(None))
    orders = session.scalars(
        select(Order)
        .where(Order.to_makers.is_(True), Order.state == OrderState.PAID)
        .where(Order.id.in_(select(OrderLine.order_id).where(OrderLine.id.not_in(routed))))
        .order_by(Order.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Order)
    ).all()
    count = 0
    for order in orders:
        for line in order.lines:
            if session.scalar(select(RoutedJob.id).where(RoutedJob.line_id == line.id)):
                continue
            job = RoutedJob(**job_of_line(session, line, now, ship_to))
            session.add(job)
            session.flush()
            route_job(session, job, now)
            count += 1
            if job.state != OFFERED:
                log.warning("no maker can make %s (order %s): %s", job.title, order.id, job.state)
    return count


def job_of_line(session: Session, line: OrderLine, now: datetime, ship_to: str) -> dict[str, Any]:
    """What routing needs of a quoted part: its process, material, size and volume from the
    upload's analysis, machine hours from the quote, and its ship date as the due date."""
    configuration = line.configuration or {}
    quote = session.get(Quote, configuration.get("quote_id"))
    upload = session.get(Upload, configuration.get("upload_id"))
    if quote is None or upload is None or upload.analysis is None:
        raise ValueError(f"order line {line.id} is not a quoted part")
    steps = routing_of(line)
    made = next((s for s in steps if "artifact" in s), steps[0])
    size = [float(v) for v in upload.analysis["size"]]
    volume_mm3 = float(upload.analysis.get("volume") or 0.0)
    capability = str(made["capability"])
    return {
        "source": "order",
        "line_id": line.id,
        "title": f"{configuration.get('file', line.product_name)}, {line.quantity} pcs"[:120],
        "capability": capability,
        "material": quote.material,
        "colour": ANY_COLOUR,
        "size_x_mm": size[0],
        "size_y_mm": size[1],
        "size_z_mm": size[2],
        "tolerance_mm": TOLERANCE_MM.get(capability, DEFAULT_TOLERANCE_MM),
        "machine_hours": round(
            max(0.01, float(quote.details.get("machine_hours") or 0) * line.quantity), 2
        ),
        "volume_cm3": volume_mm3 / 1000 * line.quantity,
        "customer_country": ship_to,
        "due_at": _due(configuration.get("ship_date"), now),
        "state": OFFERED,
    }


def _due(ship_date: object, now: datetime) -> datetime:
    """The end of the promised ship date, within the lead times routing takes."""
    due = now + MIN_LEAD
    if isinstance(ship_date, str):
        due = max(due, datetime.combine(date.fromisoformat(ship_date), time(23, 59), tzinfo=UTC))
    return min(due, now + MAX_LEAD - timedelta(minutes=1))
