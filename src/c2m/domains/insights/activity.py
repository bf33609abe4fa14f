"""What happened, per unit (micro-enterprise, product or circle) and per calendar month, read
straight from the orders, the timeline, the feedback and the ledger: the raw counts and sums the
scorecard is made of.

Each figure is one grouped query over the whole span asked for, grouped by month in the
database (``kernel.sqltime.month_of``), so a year costs one pass over its rows, not twelve.
What an order needs from other tables (its products, when it was paid, its promise) is a
grouped subquery joined once, not a lookup per order, so PostgreSQL joins by hash; the indexes
of migration 0022 let SQLite read each from an index alone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from c2m.domains.circles import royalties
from c2m.domains.insights.models import Feedback
from c2m.domains.ledger.models import LedgerPosting, LedgerTransaction, TransactionKind
from c2m.domains.ledger.periods import Period
from c2m.domains.ledger.pnl import RESULT, prefix
from c2m.domains.ledger.rules import Role, account
from c2m.domains.makers.models import MakerProfile
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.orders.states import OrderState
from c2m.domains.planning.models import WorkOrder, WorkOrderLine
from c2m.kernel.sqltime import days_between, month_of

UNPAID = (OrderState.PLACED, OrderState.DRAFT, OrderState.QUOTED, OrderState.CANCELLED)

Key = tuple[str, str]
"""(unit id, month ``YYYY-MM``)."""


class UnitKind(enum.StrEnum):
    """What a scorecard point stands for."""

    ENTERPRISE = "enterprise"
    PRODUCT = "product"
    CIRCLE = "circle"
    MAKER = "maker"


@dataclass(frozen=True, slots=True)
class Units:
    """Which units an order counts for, and with which share of its money: its
    micro-enterprise (all of it), each product it has a line of (that line's share of the
    order's value), each circle whose model it makes (all of it), each maker whose workshop
    made a part of it (all of it)."""

    kind: UnitKind

    def of(self, query: Select[Any]) -> tuple[Select[Any], ColumnElement[Any], Any]:
        """``query`` (which reads :class:`Order`) joined to the orders' units; the unit's id
        and its share of each order's money."""
        if self.kind is UnitKind.ENTERPRISE:
            return query, Order.enterprise_id.expression, literal(1.0)
        if self.kind is UnitKind.CIRCLE:  # an order of two circles' models counts for one
            circle = royalties.circle_of(Order.id.expression)
            return query.where(circle.is_not(None)), circle, literal(1.0)
        if self.kind is UnitKind.MAKER:
            made = (
                select(WorkOrderLine.order_id, MakerProfile.id.label("maker_id"))
                .join(WorkOrder, WorkOrder.id == WorkOrderLine.work_order_id)
                .join(MakerProfile, MakerProfile.factory_id == WorkOrder.factory_id)
                .distinct()
                .subquery("made")
            )
            joined = query.join(made, made.c.order_id == Order.id)
            return joined, made.c.maker_id, literal(1.0)
        # Each product of the order once, with the value of its lines there.
        lines = (
            select(
                OrderLine.order_id,
                OrderLine.product_id,
                func.sum(OrderLine.quantity * OrderLine.unit_price).label("value"),
            )
            .group_by(OrderLine.order_id, OrderLine.product_id)
            .subquery("products")
        )
        joined = query.join(lines, lines.c.order_id == Order.id)
        return joined, lines.c.product_id, lines.c.value * 1.0 / func.nullif(Order.total, 0)

    @property
    def earners(self) -> str:
        """What the accounts of what units keep start with: the makers' or the
        micro-enterprises'."""
        return prefix(Role.MAKER if self.kind is UnitKind.MAKER else Role.ENTERPRISE)

    def earner(self, unit: ColumnElement[Any]) -> ColumnElement[str]:
        """The ledger account of what the unit keeps: its maker's, or the order's
        micro-enterprise's."""
        party = unit if self.kind is UnitKind.MAKER else Order.enterprise_id
        return literal(self.earners).concat(func.upper(party))


@dataclass(frozen=True, slots=True)
class Orders:
    """A unit's paid orders in a month: co-designed ones, circle ones, its customers and those
    of them who had bought from it before (or twice in the month)."""

    paid: int = 0
    codesigned: int = 0
    circles: int = 0
    customers: int = 0
    repeat: int = 0


@dataclass(frozen=True, slots=True)
class Deliveries:
    """Orders delivered in a month; those with a promised lead time, those on time, and the
    customers' answers about them."""

    delivered: int = 0
    promised: int = 0
    on_time: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0


@dataclass(frozen=True, slots=True)
class Money:
    """Gross sales (captured less refunded) and what the micro-enterprise kept of them."""

    gross: int = 0
    kept: int = 0


def _within(column: Any, span: Period) -> ColumnElement[bool]:
    return and_(column >= span.start, column < span.end)


def paid_orders(session: Session, units: Units, span: Period) -> dict[Key, Orders]:
    """Per unit and month: paid orders placed in it, with their customers. A customer is
    returning when they bought from the unit twice in the month or in an earlier month: the
    orders before the span count as one month, "before", read in the same pass."""
    line = aliased(OrderLine)  # any of the order's lines, whichever line ``units`` joined
    designed = Order.id.in_(select(line.order_id).where(line.template_id.is_not(None)))
    through_circle = Order.id.in_(select(royalties.circle_orders().subquery().c.order_id))
    paid = Order.state.not_in(UNPAID)
    in_span, unit, _ = units.of(select().select_from(Order))
    in_span = in_span.add_columns(
        unit.label("unit_id"),
        Order.customer_id,
        month_of(Order.created_at).label("month"),
        case((designed, 1), else_=0).label("designed"),
        case((through_circle, 1), else_=0).label("circles"),
    ).where(paid, _within(Order.created_at, span))
    # Two reads, not one with an OR: each is a range of the orders' (created_at) index.
    of_span = select(Order.customer_id).where(_within(Order.created_at, span))
    earlier, unit, _ = units.of(select().select_from(Order))
    earlier = earlier.add_columns(
        unit, Order.customer_id, literal(""), literal(0), literal(0)
    ).where(paid, Order.created_at < span.start, Order.customer_id.in_(of_span))
    each = union_all(in_span, earlier).subquery()
    per_customer = (
        select(
            each.c.unit_id,
            each.c.customer_id,
            each.c.month,
            func.count().label("paid"),
            func.sum(each.c.designed).label("designed"),
            func.sum(each.c.circles).label("circles"),
        )
        .group_by(each.c.unit_id, each.c.customer_id, each.c.month)
        .subquery()
    )
    first = func.min(per_customer.c.month).over(
        partition_by=(per_customer.c.unit_id, per_customer.c.customer_id)
    )
    returning = (per_customer.c.paid > 1) | (first < per_customer.c.month)
    customers = select(
        per_customer,
        case((returning, 1), else_=0).label("repeat"),
    ).subquery()
    query = (
        select(
            customers.c.unit_id,
            customers.c.month,
            func.sum(customers.c.paid),
            func.sum(customers.c.designed),
            func.sum(customers.c.circles),
            func.count(),
            func.sum(customers.c.repeat),
        )
        .where(customers.c.month != "")
        .group_by(customers.c.unit_id, customers.c.month)
    )
    return {
        (unit_id, month): Orders(*(int(n or 0) for n in counts))
        for unit_id, month, *counts in session.execute(query)
    }


def deliveries(session: Session, units: Units, span: Period) -> dict[Key, Deliveries]:
    """Per unit and month: orders delivered in it (once each: nothing leaves ``delivered``
    but a refund), how many had a promised lead time (a configured line's) and arrived within
    it of being paid, and the answers their customers gave.

    When each order was paid and what it promised are read once each, grouped by order, and
    joined to the deliveries: a hash or merge join on PostgreSQL, where a lookup per delivery
    cost a subplan each (three times slower on a year)."""
    arrived = (
        select(OrderEvent.order_id, OrderEvent.at)
        .where(OrderEvent.type == "delivered", _within(OrderEvent.at, span))
        .subquery("arrived")
    )
    paid = (
        select(OrderEvent.order_id, func.min(OrderEvent.at).label("at"))
        .where(OrderEvent.type == "paid")
        .group_by(OrderEvent.order_id)
        .subquery()
    )
    lead_days = OrderLine.pricing[("lead_time", "days")].as_integer()  # a configured line's
    promise = (
        select(OrderLine.order_id, func.max(lead_days).label("days"))
        .where(OrderLine.pricing.is_not(None))
        .group_by(OrderLine.order_id)
        .subquery()
    )
    base = (
        select()
        .select_from(arrived)
        .join(Order, Order.id == arrived.c.order_id)
        .outerjoin(paid, paid.c.order_id == arrived.c.order_id)
        .outerjoin(promise, promise.c.order_id == arrived.c.order_id)
    )
    query, unit, _ = units.of(base)
    month = month_of(arrived.c.at)
    promised = and_(promise.c.days.is_not(None), paid.c.at.is_not(None))
    on_time = and_(promised, days_between(arrived.c.at, paid.c.at) <= promise.c.days)
    query = (
        query.add_columns(
            unit.label("unit_id"),
            month.label("month"),
            func.count(),
            func.sum(case((promised, 1), else_=0)),
            func.sum(case((on_time, 1), else_=0)),
            func.sum(case((Feedback.score >= 9, 1), else_=0)),
            func.sum(case((Feedback.score.between(7, 8), 1), else_=0)),
            func.sum(case((Feedback.score <= 6, 1), else_=0)),
        )
        .outerjoin(Feedback, Feedback.order_id == arrived.c.order_id)
        .group_by(literal_column("unit_id"), literal_column("month"))  # not the expressions
    )
    return {
        (unit_id, month): Deliveries(*(int(n or 0) for n in counts))
        for unit_id, month, *counts in session.execute(query)
    }


def money(session: Session, units: Units, span: Period) -> dict[Key, Money]:
    """Per unit and month, from the ledger's transactions about orders (payments, refunds,
    production costs): gross sales, the money captured less refunded in
    ``Assets:PaymentClearing``, and what the unit kept, the net credit of the order's
    ``Liabilities:Enterprises:<ID>`` or of the maker's ``Liabilities:Makers:<ID>`` (payouts
    reference no order, so they stay out)."""
    # Each transaction's clearing line and its earner's line, each found by (account,
    # transaction): one index search apiece, whatever the planner guesses of the row counts.
    cleared, kept = aliased(LedgerPosting), aliased(LedgerPosting)
    sales = LedgerTransaction.kind.in_([TransactionKind.PAYMENT, TransactionKind.REFUND])
    base = (
        select()
        .select_from(LedgerTransaction)
        .join(Order, Order.id == LedgerTransaction.reference)
        .outerjoin(
            cleared,
            and_(
                cleared.account == account(Role.PAYMENT_CLEARING)[0],
                cleared.transaction_id == LedgerTransaction.id,
            ),
        )
    )
    query, unit, weight = units.of(base)
    own = units.earner(unit)
    # The prefix changes nothing but what PostgreSQL hashes: the earners' postings, not all.
    earners = kept.account.startswith(units.earners, autoescape=True)
    query = query.outerjoin(
        kept, and_(kept.account == own, kept.transaction_id == LedgerTransaction.id, earners)
    )
    month = month_of(LedgerTransaction.created_at)
    query = (
        query.add_columns(
            unit.label("unit_id"),
            month.label("month"),
            func.sum(case((sales, func.coalesce(cleared.amount, 0)), else_=0) * weight),
            -func.sum(func.coalesce(kept.amount, 0) * weight),
        )
        .where(_within(LedgerTransaction.created_at, span), LedgerTransaction.kind.in_(RESULT))
        .group_by(literal_column("unit_id"), literal_column("month"))  # not the expressions
    )
    return {
        (unit_id, month): Money(round(gross or 0), round(kept or 0))
        for unit_id, month, gross, kept in session.execute(query)
    }
