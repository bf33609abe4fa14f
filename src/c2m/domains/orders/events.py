"""The order timeline's event types, their constructors, and the bus topics that carry them.

Event types are shown by the API and the pages, so the set is closed: an event is built by one
of the constructors below (the type comes with its data's shape) and never from a free string.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal

from c2m.domains.orders.states import MAIN_LINE, OrderState

TOPIC_PREFIX = "orders."


class OrderEventType(enum.StrEnum):
    """Every type a timeline event can have; the values are the API's words."""

    # A move along the main line is named after the state it reaches.
    QUOTED = "quoted"
    PLACED = "placed"
    PAID = "paid"
    DESIGNING = "designing"
    PLANNED = "planned"
    IN_PRODUCTION = "in_production"
    QUALITY_CHECK = "quality_check"
    PACKAGING = "packaging"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    # Side states.
    ON_HOLD = "on_hold"
    RESUMED = "resumed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    # Money that did not (yet) move the order.
    PAYMENT_PENDING = "payment_pending"
    PAYMENT_DECLINED = "payment_declined"
    # The factory's steps.
    OPERATION_STARTED = "operation_started"
    OPERATION_DONE = "operation_done"
    RESCHEDULED = "rescheduled"
    MACHINE_DOWN = "machine_down"
    REMAKE = "remake"
    QUALITY_CHECKED = "quality_checked"  # an inspection passed, with what it measured
    # Made by an independent maker: whose workshop took the part (its public name only).
    MAKER_CHOSEN = "maker_chosen"
    # Pre-order batches.
    BATCH_RELEASED = "batch_released"
    BATCH_EXPIRED = "batch_expired"


E = OrderEventType

#: Types that only ever come with a change of state: never a mere note on the timeline.
MOVES: frozenset[OrderEventType] = frozenset(
    {E(state.value) for state in MAIN_LINE if state is not OrderState.DRAFT}
    | {E.ON_HOLD, E.RESUMED, E.CANCELLED, E.REFUNDED}
)


#: The news of a payment, of a factory step, of a pre-order batch.
MoneyType = Literal[E.PAID, E.PAYMENT_PENDING, E.PAYMENT_DECLINED, E.REFUNDED]
StepType = Literal[
    E.OPERATION_STARTED,
    E.OPERATION_DONE,
    E.RESCHEDULED,
    E.MACHINE_DOWN,
    E.REMAKE,
    E.QUALITY_CHECKED,
    E.MAKER_CHOSEN,
]
BatchType = Literal[E.BATCH_RELEASED, E.BATCH_EXPIRED]


@dataclass(frozen=True)
class Event:
    """What happened to an order, as its timeline shows it."""

    type: OrderEventType
    data: dict[str, Any] = field(default_factory=dict)


def placed(total: int, currency: str) -> Event:
    return Event(E.PLACED, {"total": total, "currency": currency})


def reached(state: OrderState, data: dict[str, Any] | None = None) -> Event:
    """A forward move along the main line, named after the state it reaches."""
    if state not in MAIN_LINE or state is OrderState.DRAFT:
        raise ValueError(f"{state} is not a state an order moves forward to")
    return Event(E(state.value), data or {})


def held(data: dict[str, Any]) -> Event:
    return Event(E.ON_HOLD, data)


def resumed(data: dict[str, Any]) -> Event:
    return Event(E.RESUMED, data)


def cancelled(reason: str | None) -> Event:
    return Event(E.CANCELLED, {"reason": reason})


def money(kind: MoneyType, amount: int, currency: str, **details: Any) -> Event:
    """A payment's news: taken, waiting, declined or given back, with what was said about it."""
    return Event(kind, {"amount": amount, "currency": currency, **details})


def step(kind: StepType, data: dict[str, Any]) -> Event:
    """News of a factory step (which operation, which machine, why)."""
    return Event(kind, data)


def batch(kind: BatchType, batch_id: str, circle: str, threshold: int) -> Event:
    """A pre-order batch settled: released into production or expired."""
    return Event(kind, {"batch_id": batch_id, "circle": circle, "threshold": threshold})


def order_topic(order_id: str) -> str:
    """The bus topic carrying one order's timeline events."""
    return f"{TOPIC_PREFIX}{order_id}.events"


def timeline_message(
    order_id: str, customer_id: str, enterprise_id: str, event: dict[str, Any]
) -> dict[str, Any]:
    """The outbox message for one timeline event: the event plus whose order it is."""
    return {
        **event,
        "order_id": order_id,
        "customer_id": customer_id,
        "enterprise_id": enterprise_id,
    }
