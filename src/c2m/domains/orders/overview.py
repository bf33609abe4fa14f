"""The order as its customer reads it: what was ordered in words (the template's labels, the
quoted part's process and material), its picture, the promised and actual dates, the factory's
steps, the latest payment's news and the milestones. The page renders this; it never shows keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog.models import TemplateVersion
from c2m.domains.catalog.showcase import drawing_of
from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.orders.payment_news import PaymentNews, payment_news
from c2m.domains.orders.promises import lead_days, promised_date
from c2m.domains.orders.steps import STEP_EVENTS, Step, follow, planned_steps

E = OrderEventType

#: How each quoting process reads; the keys are ``engines.costing.Process`` values.
PROCESS_WORDS = {
    "fdm": "3D printed in plastic (FDM)",
    "sla": "3D printed in resin (SLA)",
    "sls": "3D printed in nylon powder (SLS)",
    "cnc": "CNC milled",
}
#: A quoted line's configuration: what the quote recorded, in the order it is told.
QUOTED = (("file", "Part"), ("process", "Process"), ("material", "Material"), ("tier", "Speed"))


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class LineView:
    line: OrderLine
    choices: list[Choice]
    #: For static/drawings.js: the template's picture, its options and the chosen values.
    drawing: dict[str, Any] | None = None
    #: A quoted part's upload, whose thumbnail is its picture.
    upload_id: str | None = None


@dataclass(frozen=True)
class Dates:
    promised: date | None = None  # the ship date promised (a quote's, or paid + lead time)
    lead_days: int | None = None  # before payment: ships this many days after it
    shipped: date | None = None
    delivered: date | None = None


@dataclass(frozen=True)
class OrderOverview:
    order: Order
    lines: list[LineView]
    dates: Dates
    steps: list[Step]
    payment: PaymentNews | None
    history: list[OrderEvent] = field(default_factory=list)


def overview(session: Session, order: Order, events: Sequence[OrderEvent]) -> OrderOverview:
    """``order`` (already checked as the reader's) with ``events``, its whole timeline."""
    steps = follow(planned_steps(order.lines), events)
    return OrderOverview(
        order=order,
        lines=[_line(session, line) for line in order.lines],
        dates=_dates(order.lines, events),
        steps=steps,
        payment=payment_news(events),
        history=[e for e in events if e.type not in STEP_EVENTS],
    )


def _line(session: Session, line: OrderLine) -> LineView:
    chosen = line.configuration or {}
    if "quote_id" in chosen:
        said = [(label, str(chosen[key])) for key, label in QUOTED if chosen.get(key)]
        choices = [Choice(label, _quoted(label, value)) for label, value in said]
        return LineView(line, choices, upload_id=str(chosen.get("upload_id") or "") or None)
    definition = _definition(session, line)
    if definition is None:
        return LineView(line, [Choice(_words(k), _value({}, v)) for k, v in chosen.items()])
    options = definition.get("options", [])
    choices = [
        Choice(option.get("label") or _words(name), _value(option, chosen[name]))
        for option in options
        if (name := option["name"]) in chosen
    ]
    return LineView(line, choices, drawing_of(definition, chosen))


def _definition(session: Session, line: OrderLine) -> dict[str, Any] | None:
    """The template version the line was designed in (the customer's own order: no check)."""
    if line.template_id is None:
        return None
    return session.scalar(
        select(TemplateVersion.definition).where(
            TemplateVersion.template_id == line.template_id,
            TemplateVersion.version == line.template_version,
        )
    )


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _quoted(label: str, value: str) -> str:
    if label == "Process":
        return PROCESS_WORDS.get(value, value.upper())
    return value.capitalize() if label == "Speed" else value


def _value(option: Mapping[str, Any], value: Any) -> str:
    """A chosen value as the configurator shows it: Yes/No, a number with its unit, the text."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        number = f"{value:g}"
        return f"{number} {option['unit']}" if option.get("unit") else number
    if option.get("kind") == "text":
        return f"“{value}”" if value else "None"
    text = str(value)
    return text[:1].upper() + text[1:]


def _dates(lines: Sequence[OrderLine], events: Sequence[OrderEvent]) -> Dates:
    """The promise (see ``promises``); before payment, the lead time still to count."""
    first: dict[str, datetime] = {}
    for event in events:
        first.setdefault(event.type, event.at)
    paid = first.get(E.PAID)
    shipped, delivered = first.get(E.SHIPPED), first.get(E.DELIVERED)
    return Dates(
        promised=promised_date(lines, paid),
        lead_days=lead_days(lines) if paid is None else None,
        shipped=shipped.date() if shipped else None,
        delivered=delivered.date() if delivered else None,
    )
