"""The payment-provider port and the built-in test provider.

The test provider behaves like a card processor with webhooks: some payments succeed at once,
some are declined, and some are confirmed later by callbacks that may come twice or out of order.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from c2m.kernel.ids import new_id


class ChargeOutcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    PENDING = "pending"


class CallbackKind(enum.StrEnum):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class ChargeResult:
    outcome: ChargeOutcome
    provider_ref: str
    message: str = ""


@dataclass(frozen=True)
class Callback:
    """A provider notification about one payment; ``seq`` orders the notifications of a payment."""

    provider_event_id: str
    provider_ref: str
    kind: CallbackKind
    seq: int


class PaymentProvider(Protocol):
    name: str  # stored with each payment
    label: str  # shown on timelines

    def charge(self, *, amount: int, currency: str, method: str, reference: str) -> ChargeResult:
        """Ask for money; may answer pending and confirm later through callbacks."""
        ...

    def refund(self, *, provider_ref: str, amount: int) -> None:
        """Give money back; raises on failure."""
        ...


TEST_METHODS: dict[str, str] = {
    "test-ok": "pays at once",
    "test-decline": "is declined at once",
    "test-delayed": "is confirmed a few seconds later by a webhook",
    "test-delayed-fail": "fails a few seconds later, reported by a webhook",
}


class TestPaymentProvider:
    """A deterministic stand-in for a card processor, safe for demos and tests."""

    __test__ = False  # not a pytest test class
    name = "test"
    label = "Test payment provider"

    def __init__(
        self,
        secret: str,
        deliver_later: Callable[[list[Callback]], None] | None = None,
    ) -> None:
        self._key = hashlib.sha256(("c2m-test-payments:" + secret).encode()).digest()
        self.deliver_later = deliver_later
        self.refunds: list[tuple[str, int]] = []

    def charge(self, *, amount: int, currency: str, method: str, reference: str) -> ChargeResult:
        ref = "tp_" + new_id()
        if method == "test-ok":
            return ChargeResult(ChargeOutcome.SUCCEEDED, ref)
        if method == "test-decline":
            return ChargeResult(ChargeOutcome.DECLINED, ref, "The card was declined.")
        final = CallbackKind.SUCCEEDED if method == "test-delayed" else CallbackKind.FAILED
        callbacks = self.callbacks_for(ref, final)
        if self.deliver_later is not None:
            # Real providers repeat and reorder notifications; so do we.
            self.deliver_later([callbacks[1], callbacks[0], callbacks[1]])
        return ChargeResult(ChargeOutcome.PENDING, ref, "Waiting for the bank's confirmation.")

    def refund(self, *, provider_ref: str, amount: int) -> None:
        self.refunds.append((provider_ref, amount))

    @staticmethod
    def callbacks_for(provider_ref: str, final: CallbackKind) -> list[Callback]:
        """The notifications a pending payment produces, in their true order."""
        return [
            Callback(f"{provider_ref}-1", provider_ref, CallbackKind.PROCESSING, 1),
            Callback(f"{provider_ref}-2", provider_ref, final, 2),
        ]

    def sign(self, body: bytes) -> str:
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def verify(self, body: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign(body), signature)
