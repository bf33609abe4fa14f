"""The ledger hears of money on the order timeline: a captured payment or a refund is posted
once per outbox message, however often the message is delivered (at least once).

A payment for a circle's model shares the co-design royalty among the members who shaped it
(``circles.royalties``), weighed when the payment is posted; a refund reverses those lines.

A handler that fails (the database away, a bug) loses its message: the relay publishes each
once. :meth:`OrderMoneyPoster.catch_up` finds the payments and refunds of the timeline that
have no ledger transaction and posts them, in the order they happened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, exists, literal, select
from sqlalchemy.orm import Session, aliased

from c2m.domains.circles import royalties
from c2m.domains.ledger import production, service
from c2m.domains.ledger.models import LedgerTransaction
from c2m.domains.ledger.rules import Parties, Rates
from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import Order, OrderEvent
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database
from c2m.kernel.outbox import first_time

log = logging.getLogger(__name__)

CONSUMER = "ledger"
MONEY = frozenset({OrderEventType.PAID.value, OrderEventType.REFUNDED.value})
STEP_DONE = OrderEventType.OPERATION_DONE.value


def parties(session: Session, order_id: str, enterprise_id: str) -> Parties:
    """The enterprise and, for a circle's model, its co-designers by weight."""
    model = royalties.model_of_order(session, order_id)
    designers = () if model is None else model.contributions
    return Parties(enterprise_id, designers=tuple((c.user_id, c.weight) for c in designers))


@dataclass(frozen=True)
class MoneyEvent:
    """A payment or refund on an order's timeline: what posting it needs."""

    order_id: str
    seq: int
    type: str
    amount: int
    currency: str
    enterprise_id: str

    @property
    def key(self) -> str:
        """Its ledger transaction's key: the same from the outbox message and the timeline."""
        return f"order:{self.order_id}:{self.seq}"


def post_money(session: Session, event: MoneyEvent, rates: Rates) -> None:
    """Post a payment or a refund by its rule; nothing if its key was posted."""
    record = (
        service.record_payment if event.type == OrderEventType.PAID.value else service.record_refund
    )
    record(
        session,
        key=event.key,
        order_id=event.order_id,
        amount=event.amount,
        currency=event.currency,
        parties=parties(session, event.order_id, event.enterprise_id),
        rates=rates,
    )


def _posted(event: type[OrderEvent], suffix: str = "") -> ColumnElement[bool]:
    """Whether the ledger holds the transaction keyed by ``event`` (see :attr:`MoneyEvent.key`)."""
    key = literal("order:") + event.order_id + ":" + cast(event.seq, String) + suffix
    return exists().where(LedgerTransaction.key == key)


def _missing() -> Select[Any]:
    """Payments and refunds of the timeline without their ledger transaction, in the order
    they happened. A refund posts under its key, or under ``…:unrecorded`` the payment it found
    missing; a payment older than a posted refund of its order was covered by that refund
    (reversed, or posted as unrecorded), so it is not missing."""
    refund = aliased(OrderEvent)
    covered = exists().where(
        refund.order_id == OrderEvent.order_id,
        refund.type == OrderEventType.REFUNDED.value,
        refund.seq > OrderEvent.seq,
        _posted(refund) | _posted(refund, ":unrecorded"),
    )
    return (
        select(OrderEvent.order_id, OrderEvent.seq, OrderEvent.type, OrderEvent.data)
        .add_columns(Order.enterprise_id)
        .join(Order, Order.id == OrderEvent.order_id)
        .where(
            OrderEvent.type.in_(MONEY),
            ~_posted(OrderEvent),
            ~_posted(OrderEvent, ":unrecorded"),
            ~and_(OrderEvent.type == OrderEventType.PAID.value, covered),
        )
        .order_by(OrderEvent.at, OrderEvent.order_id, OrderEvent.seq)
    )


class OrderMoneyPoster:
    """An event-bus handler (``orders.`` topics) posting payments and refunds by their rules,
    and the machine time of every finished production step."""

    def __init__(self, db: Database, rates: Rates) -> None:
        self.db = db
        self.rates = rates

    def __call__(self, _topic: str, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if (kind not in MONEY and kind != STEP_DONE) or "message_id" not in message:
            return
        with self.db.write() as session:
            if not first_time(session, CONSUMER, int(message["message_id"])):
                return
            order_id = str(message["order_id"])
            data = message["data"]
            if kind == STEP_DONE:
                if data.get("attempt"):
                    production.charge_step(session, order_id, str(data["attempt"]))
                return
            event = MoneyEvent(
                order_id,
                int(message["seq"]),
                str(kind),
                int(data["amount"]),
                str(data["currency"]),
                str(message["enterprise_id"]),
            )
            post_money(session, event, self.rates)

    def catch_up(self, settle: timedelta = timedelta(minutes=1), limit: int = 500) -> int:
        """Post the payments and refunds older than ``settle`` (their messages have had time
        to arrive) that the ledger missed; how many. Each is posted in its own transaction,
        which first locks the chain head and looks again: a refund posting at the same time
        (it locks first too) is either seen or waits, so no payment is posted twice."""
        query = _missing().where(OrderEvent.at < utcnow() - settle).limit(limit)
        with self.db.read() as session:
            found = [
                MoneyEvent(
                    row.order_id,
                    row.seq,
                    row.type,
                    int(row.data["amount"]),
                    str(row.data["currency"]),
                    row.enterprise_id,
                )
                for row in session.execute(query)
            ]
        posted = 0
        for event in found:
            again = query.where(OrderEvent.order_id == event.order_id, OrderEvent.seq == event.seq)
            try:
                with self.db.write() as session:
                    service.hold_chain(session)
                    if session.execute(again).first() is not None:
                        post_money(session, event, self.rates)
                        posted += 1
            except Exception:
                log.exception("catching up %s in the ledger failed; trying again later", event.key)
        if posted:
            log.warning("the ledger caught up with %d missed payments and refunds", posted)
        return posted
