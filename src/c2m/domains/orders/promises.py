"""What an order was promised: the ship date its customer reads on the order page, and the due
date the factory's planner works to, from one rule so the two never disagree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import OrderEvent, OrderLine


def lead_days(lines: Sequence[OrderLine]) -> int | None:
    """The longest lead time of the configured lines (days after payment), if any has one."""
    leads = [
        int(line.pricing["lead_time"]["days"])
        for line in lines
        if line.pricing and isinstance(line.pricing.get("lead_time"), dict)
    ]
    return max(leads) if leads else None


def promised_date(lines: Sequence[OrderLine], paid: datetime | None) -> date | None:
    """The latest of the lines' promises: a quote's ship date, or the lead time counted from
    payment in calendar days (as the scorecard's on-time measure counts it)."""
    promised = [
        date.fromisoformat(str(line.configuration["ship_date"]))
        for line in lines
        if (line.configuration or {}).get("ship_date")
    ]
    days = lead_days(lines)
    if paid is not None and days is not None:
        promised.append(paid.date() + timedelta(days=days))
    return max(promised) if promised else None


def day_end(day: date) -> datetime:
    """A promised ship date is kept until the end of that day (UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, UTC)


def promises(session: Session, order_ids: Collection[str]) -> dict[str, date]:
    """The promised ship date of each of ``order_ids`` that has one, read in two queries."""
    if not order_ids:
        return {}
    ids = list(order_ids)
    paid = dict(
        session.execute(
            select(OrderEvent.order_id, func.min(OrderEvent.at))
            .where(OrderEvent.order_id.in_(ids), OrderEvent.type == OrderEventType.PAID)
            .group_by(OrderEvent.order_id)
        ).all()
    )
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    for line in session.scalars(select(OrderLine).where(OrderLine.order_id.in_(ids))):
        lines[line.order_id].append(line)
    found = {order_id: promised_date(own, paid.get(order_id)) for order_id, own in lines.items()}
    return {order_id: day for order_id, day in found.items() if day is not None}
