"""What happened in a period, per micro-enterprise, read straight from the orders, the
timeline, the feedback and the ledger: the raw counts and sums the scorecard is made of. Each is
one grouped query, so a year of a busy platform is read in well under a second."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from c2m.domains.circles.models import Preorder
from c2m.domains.insights.models import Feedback
from c2m.domains.ledger.models import LedgerPosting, LedgerTransaction, TransactionKind
from c2m.domains.ledger.rules import Role, account
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.orders.states import OrderState

if TYPE_CHECKING:
    from c2m.domains.ledger.periods import Period

UNPAID = (OrderState.PLACED, OrderState.DRAFT, OrderState.QUOTED, OrderState.CANCELLED)


@dataclass(frozen=True, slots=True)
class Deliveries:
    """Orders delivered in a period; those with a promised lead time, and those on time."""

    delivered: int = 0
    promised: int = 0
    on_time: int = 0


def _within(column: Any, period: Period) -> Any:
    return and_(column >= period.start, column < period.end)


def paid_orders(session: Session, period: Period) -> dict[str, defaultdict[str, int]]:
    """Per enterprise: the period's paid orders, how many were co-designed or came through a
    circle, its customers and how many of them had bought from it before."""
    codesigned = exists().where(OrderLine.order_id == Order.id, OrderLine.template_id.is_not(None))
    circle = exists().where(Preorder.order_id == Order.id)
    paid, in_period = Order.state.not_in(UNPAID), _within(Order.created_at, period)
    rows = session.execute(
        select(
            Order.enterprise_id,
            Order.customer_id,
            func.count(),
            func.sum(case((codesigned, 1), else_=0)),
            func.sum(case((circle, 1), else_=0)),
        )
        .where(paid, in_period)
        .group_by(Order.enterprise_id, Order.customer_id)
    ).all()
    # Who had bought from the same enterprise before: each of the month's customers' orders
    # read once, through the customer index.
    customers = select(Order.customer_id).where(paid, in_period)
    returning = {
        (eid, customer)
        for eid, customer in session.execute(
            select(Order.enterprise_id, Order.customer_id)
            .where(paid, Order.created_at < period.start, Order.customer_id.in_(customers))
            .distinct()
        )
    }
    result: dict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for eid, customer, count, designed, through_circle in rows:
        counts = result[eid]
        counts["paid"] += count
        counts["codesigned"] += int(designed or 0)
        counts["circles"] += int(through_circle or 0)
        counts["customers"] += 1
        counts["repeat"] += int(count > 1 or (eid, customer) in returning)
    return result


def gross_sales(session: Session, period: Period) -> dict[str, int]:
    """Per enterprise: money captured for its orders less refunds, from the ledger."""
    clearing, _ = account(Role.PAYMENT_CLEARING)
    query = (
        select(Order.enterprise_id, func.sum(LedgerPosting.amount))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .join(Order, Order.id == LedgerTransaction.reference)
        .where(
            LedgerPosting.account == clearing,
            LedgerTransaction.kind.in_([TransactionKind.PAYMENT, TransactionKind.REFUND]),
            _within(LedgerTransaction.created_at, period),
        )
        .group_by(Order.enterprise_id)
    )
    return {eid: int(total or 0) for eid, total in session.execute(query)}


def margins(session: Session, period: Period, names: dict[str, str]) -> dict[str, int]:
    """Per enterprise: what it kept of its sales after fees, shares and production costs (the
    credits less the debits of its ledger account in the period, payouts aside)."""
    accounts = {account(Role.ENTERPRISE, eid)[0]: eid for eid in names}
    query = (
        select(LedgerPosting.account, func.sum(LedgerPosting.amount))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(
            LedgerPosting.account.in_(list(accounts)),
            LedgerTransaction.kind != TransactionKind.PAYOUT,
            _within(LedgerTransaction.created_at, period),
        )
        .group_by(LedgerPosting.account)
    )
    return {accounts[name]: -int(total or 0) for name, total in session.execute(query)}


def answers(session: Session, period: Period) -> dict[str, list[int]]:
    """Per enterprise: the scores given to orders delivered in the period."""
    delivered = _delivered_in(period)
    query = select(Feedback.enterprise_id, Feedback.score).join(
        delivered, delivered.c.order_id == Feedback.order_id
    )
    answers: dict[str, list[int]] = defaultdict(list)
    for eid, score in session.execute(query):
        answers[eid].append(score)
    return answers


def _delivered_in(period: Period) -> Any:
    return (
        select(OrderEvent.order_id, func.max(OrderEvent.at).label("at"))
        .where(OrderEvent.type == "delivered", _within(OrderEvent.at, period))
        .group_by(OrderEvent.order_id)
        .subquery()
    )


def deliveries(session: Session, period: Period) -> dict[str, Deliveries]:
    """Per enterprise: orders delivered in the period, and of those promised a lead time (a
    configured line's), how many arrived within it of being paid."""
    arrived = _delivered_in(period)
    lead_days = OrderLine.pricing["lead_time"]["days"].as_integer()  # a configured line's promise
    query = (
        select(Order.id, Order.enterprise_id, arrived.c.at, func.max(lead_days))
        .join(arrived, arrived.c.order_id == Order.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .group_by(Order.id, Order.enterprise_id, arrived.c.at)
    )
    # When each was paid, found by order id alone: with the type in the WHERE clause the
    # planner may walk the (type, at) index over a whole year of payments instead.
    first_paid = func.min(case((OrderEvent.type == "paid", OrderEvent.at)))
    paid_at: dict[str, datetime | None] = {
        row[0]: row[1]
        for row in session.execute(
            select(OrderEvent.order_id, first_paid)
            .where(OrderEvent.order_id.in_(select(arrived.c.order_id)))
            .group_by(OrderEvent.order_id)
        )
    }
    result: dict[str, Deliveries] = {}
    for order_id, eid, arrived_at, days in session.execute(query):
        counts = result.get(eid, Deliveries())
        paid = paid_at.get(order_id)
        promised = days is not None and paid is not None
        on_time = days is not None and paid is not None and arrived_at <= paid + timedelta(days)
        result[eid] = Deliveries(
            counts.delivered + 1, counts.promised + int(promised), counts.on_time + int(on_time)
        )
    return result
