"""What the customer is told about paying, read from the order's timeline: a payment waiting
for the bank (pay again only once it settles), or the last one declined, why, and what to do.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import OrderEvent

E = OrderEventType

#: Said when the provider gave no reason (a decline reported later by a webhook).
NO_REASON = "Your bank did not confirm the payment."
#: The provider's words, as a customer would say them.
REASONS = {"The card was declined.": "Your bank declined the card."}
NEXT_STEP = (
    "Nothing was taken from your account. Check the card's details, or pay with another card."
)
WAITING = (
    "Waiting for your bank to confirm the payment. This page updates by itself when it does; "
    "there is no need to pay again."
)


class PaymentState(enum.StrEnum):
    PENDING = "pending"
    DECLINED = "declined"


@dataclass(frozen=True)
class PaymentNews:
    state: PaymentState
    amount: int
    currency: str
    reason: str = ""
    next_step: str = ""


def payment_news(events: Sequence[OrderEvent]) -> PaymentNews | None:
    """The news of the order's latest payment, while it has any; None once one succeeded (or
    before any was tried)."""
    latest = next(
        (e for e in reversed(events) if e.type in (E.PAID, E.PAYMENT_PENDING, E.PAYMENT_DECLINED)),
        None,
    )
    if latest is None or latest.type == E.PAID:
        return None
    amount, currency = int(latest.data.get("amount", 0)), str(latest.data.get("currency", ""))
    if latest.type == E.PAYMENT_PENDING:
        return PaymentNews(PaymentState.PENDING, amount, currency, WAITING)
    said = str(latest.data.get("message") or "")
    reason = REASONS.get(said, said) or NO_REASON
    return PaymentNews(PaymentState.DECLINED, amount, currency, reason, NEXT_STEP)
