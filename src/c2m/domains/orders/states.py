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


def next_moves(state: OrderState, held_from: OrderState | None) -> list[OrderState]:
    """The moves the maker (a member or the factory) may make: along the line (payment is the
    customer's), on hold while in production, and from hold back to where it was held."""
    if state is S.ON_HOLD:
        return [held_from] if held_from is not None else []
    moves = sorted(FORWARD.get(state, frozenset()) - {S.PAID})
    return [*moves, S.ON_HOLD] if state in PRODUCTION else moves


def legal_moves(state: OrderState, held_from: OrderState | None) -> frozenset[OrderState]:
    """Every state an order may go to from ``state``, whoever moves it: the maker's moves, the
    payment, a cancellation, a refund. Commands check their own further conditions first."""
    moves = set(next_moves(state, held_from)) | FORWARD.get(state, frozenset())
    if state in CANCELLABLE:
        moves.add(S.CANCELLED)
    if state in REFUNDABLE:
        moves.add(S.REFUNDED)
    return frozenset(moves)


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
