"""The win-win value-added statement of a micro-enterprise (Haier's): what it did for its users
and the value it added and shared, side by side, for a period.

Users are counted from the order timeline and the circles: transactional users paid an order,
interactive users took part in its circles (a demand, a vote or follow, a comment), lifetime
users paid in the period and had paid it before. Money comes from the P&L's figures, so every
amount links to the same postings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, distinct, func, select, union
from sqlalchemy.orm import Session

from c2m.domains.circles import royalties
from c2m.domains.circles.models import Circle, Comment, Demand, Reaction
from c2m.domains.ledger.periods import Period
from c2m.domains.ledger.pnl import Figure, Slice, Statement, pnl
from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import Order, OrderEvent
from c2m.domains.platform.actor import Actor


@dataclass(frozen=True)
class Users:
    """Value created for users in the period."""

    transactional: int  # distinct customers who paid
    interactive: int  # distinct people who took part in the enterprise's circles
    lifetime: int  # customers who paid in the period and had paid before
    paid_orders: int
    co_designed_orders: int  # of the paid orders, those of a circle's model (royalty-bearing)
    delivered_orders: int

    @property
    def co_designed_share(self) -> float | None:
        return self.co_designed_orders / self.paid_orders if self.paid_orders else None


@dataclass(frozen=True)
class ValueAdded:
    users: Users
    money: list[Statement]  # per currency: value added and shared value


def _events(enterprise_id: str, kind: OrderEventType, period: Period) -> Select[str, str]:
    """(order, customer) of the enterprise's orders with a ``kind`` event in the period."""
    return (
        select(Order.id, Order.customer_id)
        .join(OrderEvent, OrderEvent.order_id == Order.id)
        .where(
            Order.enterprise_id == enterprise_id,
            OrderEvent.type == kind.value,
            OrderEvent.at >= period.start,
            OrderEvent.at < period.end,
        )
    )


def _count(session: Session, query: Select[Any] | CompoundSelect[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _users(session: Session, enterprise_id: str, period: Period) -> Users:
    paid = _events(enterprise_id, OrderEventType.PAID, period).subquery()
    delivered = _events(enterprise_id, OrderEventType.DELIVERED, period).subquery()
    earlier = (
        select(Order.customer_id)
        .join(OrderEvent, OrderEvent.order_id == Order.id)
        .where(
            Order.enterprise_id == enterprise_id,
            OrderEvent.type == OrderEventType.PAID.value,
            OrderEvent.at < period.start,
        )
    )
    in_period = select(paid.c.customer_id).group_by(paid.c.customer_id)
    again = in_period.having(func.count(distinct(paid.c.id)) > 1)
    lifetime = in_period.where(paid.c.customer_id.in_(earlier)).union(again)
    circles = select(Circle.id).where(Circle.enterprise_id == enterprise_id)
    taking_part = union(
        *(
            select(who).where(where.in_(circles), at >= period.start, at < period.end)
            for who, where, at in (
                (Demand.author_id, Demand.circle_id, Demand.created_at),
                (Reaction.user_id, Reaction.circle_id, Reaction.created_at),
                (Comment.author_id, Comment.circle_id, Comment.created_at),
            )
        )
    )
    paid_ids = list(session.scalars(select(paid.c.id).distinct()))
    return Users(
        transactional=_count(session, in_period),
        interactive=_count(session, taking_part),
        lifetime=_count(session, lifetime),
        paid_orders=len(paid_ids),
        co_designed_orders=len(royalties.co_designed(session, paid_ids)),
        delivered_orders=_count(session, select(delivered.c.id).distinct()),
    )


def _money(statement: Statement) -> Statement:
    """Value added (the P&L's net result) and the value it shared (royalties, makers)."""
    royalties, makers = statement["royalties"], statement["makers"]
    shared = Figure(
        "shared",
        "Shared value",
        royalties.amount + makers.amount,
        Slice(royalties.slice.accounts + makers.slice.accounts, royalties.slice.kinds, -1),
    )
    added = statement["net"]
    return Statement(
        statement.currency,
        [
            Figure("value_added", "Value added", added.amount, added.slice),
            royalties,
            makers,
            shared,
        ],
    )


def value_added(session: Session, actor: Actor, enterprise_id: str, period: Period) -> ValueAdded:
    statements = pnl(session, actor, enterprise_id, period)  # checks membership first
    return ValueAdded(_users(session, enterprise_id, period), [_money(s) for s in statements])
