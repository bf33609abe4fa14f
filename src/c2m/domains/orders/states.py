"""The order state machine of ARCHITECTURE.md: which transitions exist and how far along each
state is. Pure and small, so tests can enumerate it.
"""

from __future__ import annotations

import enum


class OrderState(enum.StrEnum):
    DRAFT = "draft"
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
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


S = OrderState

#: The main line, in order; progress is the position on it.
MAIN_LINE: tuple[OrderState, ...] = (
    S.DRAFT,
    S.QUOTED,
    S.PLACED,
    S.PAID,
    S.DESIGNING,
    S.PLANNED,
    S.IN_PRODUCTION,
    S.QUALITY_CHECK,
    S.PACKAGING,
    S.SHIPPED,
    S.DELIVERED,
)

#: States in which the factory may be working on the order (and it can be put on hold).
PRODUCTION: frozenset[OrderState] = frozenset(
    {S.PAID, S.DESIGNING, S.PLANNED, S.IN_PRODUCTION, S.QUALITY_CHECK, S.PACKAGING}
)

#: A customer may cancel until production starts.
CANCELLABLE: frozenset[OrderState] = frozenset(
    {S.DRAFT, S.QUOTED, S.PLACED, S.PAID, S.DESIGNING, S.PLANNED}
)

#: Money captured in these states can be given back.
REFUNDABLE: frozenset[OrderState] = frozenset(
    {S.PAID, S.DESIGNING, S.PLANNED, S.ON_HOLD, S.CANCELLED, S.SHIPPED, S.DELIVERED}
)

FORWARD: dict[OrderState, frozenset[OrderState]] = {
    S.DRAFT: frozenset({S.QUOTED, S.PLACED}),
    S.QUOTED: frozenset({S.PLACED}),
    S.PLACED: frozenset({S.PAID}),
    S.PAID: frozenset({S.DESIGNING, S.PLANNED}),
    S.DESIGNING: frozenset({S.PLANNED}),
    S.PLANNED: frozenset({S.IN_PRODUCTION}),
    S.IN_PRODUCTION: frozenset({S.QUALITY_CHECK}),
    S.QUALITY_CHECK: frozenset({S.PACKAGING, S.IN_PRODUCTION}),  # a failed check is remade
    S.PACKAGING: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
}


def can_advance(current: OrderState, target: OrderState) -> bool:
    """Whether the factory may move an order from ``current`` to ``target`` along the line."""
    return target in FORWARD.get(current, frozenset())


def progress(state: OrderState) -> int | None:
    """Percent along the main line; None for side states, which keep the last progress shown."""
    if state not in MAIN_LINE:
        return None
    return round(100 * MAIN_LINE.index(state) / (len(MAIN_LINE) - 1))


LABELS: dict[OrderState, str] = {
    S.DRAFT: "Draft",
    S.QUOTED: "Quoted",
    S.PLACED: "Order placed",
    S.PAID: "Paid",
    S.DESIGNING: "Design being finalised",
    S.PLANNED: "Planned in the factory",
    S.IN_PRODUCTION: "In production",
    S.QUALITY_CHECK: "Quality check",
    S.PACKAGING: "Packaging",
    S.SHIPPED: "Shipped",
    S.DELIVERED: "Delivered",
    S.ON_HOLD: "On hold",
    S.CANCELLED: "Cancelled",
    S.REFUNDED: "Refunded",
}
