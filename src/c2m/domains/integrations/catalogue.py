"""The webhook event catalogue: one type per order timeline event type, ``order.<type>``.

Derived from the closed set of timeline types, so a new timeline event is a new webhook event
the day it exists, with the same words the API and the pages use.
"""

from __future__ import annotations

from c2m.domains.orders.events import OrderEventType

PREFIX = "order."

#: What each timeline type tells a subscriber, for the OpenAPI document and docs/api.md.
MEANINGS: dict[OrderEventType, str] = {
    OrderEventType.QUOTED: "The order was quoted.",
    OrderEventType.PLACED: "A customer placed the order (not paid yet).",
    OrderEventType.PAID: "The payment was captured: production may start.",
    OrderEventType.DESIGNING: "The design is being prepared for production.",
    OrderEventType.PLANNED: "The order is scheduled on machines.",
    OrderEventType.IN_PRODUCTION: "Production started.",
    OrderEventType.QUALITY_CHECK: "The product is being checked.",
    OrderEventType.PACKAGING: "The product is being packed.",
    OrderEventType.SHIPPED: "The product left the factory.",
    OrderEventType.DELIVERED: "The customer received the product.",
    OrderEventType.ON_HOLD: "The order is on hold (a machine went down, a check failed).",
    OrderEventType.RESUMED: "The order left its hold.",
    OrderEventType.CANCELLED: "The order was cancelled.",
    OrderEventType.REFUNDED: "Money was given back.",
    OrderEventType.PAYMENT_PENDING: "A payment waits for the provider's confirmation.",
    OrderEventType.PAYMENT_DECLINED: "A payment was declined.",
    OrderEventType.OPERATION_STARTED: "A machine started a production step.",
    OrderEventType.OPERATION_DONE: "A machine finished a production step.",
    OrderEventType.RESCHEDULED: "The order's steps moved in the plan.",
    OrderEventType.MACHINE_DOWN: "A machine working on the order went down.",
    OrderEventType.REMAKE: "A part is being made again.",
    OrderEventType.QUALITY_CHECKED: "A part passed inspection; the data lists what was measured.",
    OrderEventType.MAKER_CHOSEN: "An independent maker's workshop took a part of the order.",
    OrderEventType.BATCH_RELEASED: "The pre-order batch filled and went into production.",
    OrderEventType.BATCH_EXPIRED: "The pre-order batch expired unfilled.",
}

EVENT_TYPES: tuple[str, ...] = tuple(f"{PREFIX}{kind.value}" for kind in OrderEventType)


def webhook_type(timeline_type: str) -> str:
    """The webhook event type of a timeline event type."""
    return f"{PREFIX}{timeline_type}"


def meaning(event_type: str) -> str:
    return MEANINGS[OrderEventType(event_type.removeprefix(PREFIX))]
