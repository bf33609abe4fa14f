"""The ledger hears of money on the order timeline: a captured payment or a refund is posted
once per outbox message, however often the message is delivered (at least once).

A payment for a circle's model shares the co-design royalty among the members who shaped it
(``circles.royalties``), weighed when the payment is posted; a refund reverses those lines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from c2m.domains.circles import royalties
from c2m.domains.ledger import production, service
from c2m.domains.ledger.rules import Parties, Rates
from c2m.domains.orders.events import OrderEventType
from c2m.kernel.db import Database
from c2m.kernel.outbox import first_time

CONSUMER = "ledger"
MONEY = frozenset({OrderEventType.PAID.value, OrderEventType.REFUNDED.value})
STEP_DONE = OrderEventType.OPERATION_DONE.value


def parties(session: Session, order_id: str, enterprise_id: str) -> Parties:
    """The enterprise and, for a circle's model, its co-designers by weight."""
    model = royalties.model_of_order(session, order_id)
    designers = () if model is None else model.contributions
    return Parties(enterprise_id, designers=tuple((c.user_id, c.weight) for c in designers))


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
            record = (
                service.record_payment
                if message["type"] == OrderEventType.PAID.value
                else service.record_refund
            )
            record(
                session,
                key=f"order:{order_id}:{message['seq']}",
                order_id=order_id,
                amount=int(data["amount"]),
                currency=str(data["currency"]),
                parties=parties(session, order_id, str(message["enterprise_id"])),
                rates=self.rates,
            )
