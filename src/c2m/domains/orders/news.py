"""An order's timeline events in the customer's words, wherever they are told: the order
page's history, a notification on the phone, an e-mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.states import LABELS
from c2m.domains.orders.step_words import step_title

E = OrderEventType

#: What a timeline entry is called: a move to a state reads as the state's label, and the events
#: that are not moves (or read better otherwise) have their own words. A step's own news
#: (``steps.STEP_EVENTS``) is told by the step list instead.
EVENT_TITLES = {
    **{state.value: label for state, label in LABELS.items()},
    "paid": "Payment received",
    "payment_pending": "Payment waiting for the bank",
    "payment_declined": "Payment declined",
    "refunded": "Money refunded",
    "resumed": "Resumed",
    "remake": "Failed inspection, being made again",
    "quality_checked": "Passed inspection",
    "maker_chosen": "A maker's workshop took your part",
    "delivered": "Delivered",
    "batch_released": "Enough pre-orders: your batch goes into production",
    "batch_expired": "The batch did not fill in time: refunded",
}

#: Step news worth a notification, with the words after the step's name.
STEP_NEWS = {E.OPERATION_STARTED: "started", E.OPERATION_DONE: "done"}
#: Timeline news a customer is not told on the phone: their own doing, or the factory's
#: bookkeeping the step list shows anyway.
UNTOLD = frozenset({E.QUOTED, E.PLACED, E.PAYMENT_PENDING, E.RESCHEDULED, E.MACHINE_DOWN})


def headline(event_type: str, data: Mapping[str, Any]) -> str | None:
    """One line about an event ("Cutting panels started", "Shipped"), or None for news a
    customer is not sent."""
    if event_type in UNTOLD:
        return None
    if event_type in STEP_NEWS:
        step = step_title(str(data.get("operation") or data.get("step") or "a step"))
        return f"{step} {STEP_NEWS[E(event_type)]}"
    return EVENT_TITLES.get(event_type)
