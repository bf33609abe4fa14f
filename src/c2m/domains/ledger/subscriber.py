"""The ledger hears of money on the order timeline: a captured payment or a refund is posted
once per outbox message, however often the message is delivered (at least once).
"""

from __future__ import annotations

from typing import Any

from c2m.domains.ledger import service
from c2m.domains.ledger.rules import Parties, Rates
from c2m.domains.orders.events import OrderEventType
from c2m.kernel.db import Database
from c2m.kernel.outbox import first_time

CONSUMER = "ledger"
MONEY = frozenset({OrderEventType.PAID.value, OrderEventType.REFUNDED.value})


class OrderMoneyPoster:
    """An event-bus handler (``orders.`` topics) posting payments and refunds by their rules."""

    def __init__(self, db: Database, rates: Rates) -> None:
        self.db = db
        self.rates = rates

    def __call__(self, _topic: str, message: dict[str, Any]) -> None:
        if message.get("type") not in MONEY or "message_id" not in message:
            return
        with self.db.write() as session:
            if not first_time(session, CONSUMER, int(message["message_id"])):
                return
            order_id = str(message["order_id"])
            data = message["data"]
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
                parties=Parties(enterprise=str(message["enterprise_id"])),
                rates=self.rates,
            )
