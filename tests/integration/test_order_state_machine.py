"""Acceptance 4: random sequences of place / pay / decline / webhook repeats / cancel / refund /
advance against a real database, checked after every step against an independent model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.orders import service
from c2m.domains.orders.models import Order, OrderEvent, Payment, PaymentStatus
from c2m.domains.orders.payments import Callback, TestPaymentProvider
from c2m.domains.orders.schemas import Advance, Cancel, NewLine, NewOrder, Pay
from c2m.domains.orders.states import OrderState
from c2m.kernel.errors import C2MError
from tests.conftest import World

S = OrderState
METHODS = ["test-ok", "test-decline", "test-delayed", "test-delayed-fail"]
#: The allowed moves of ARCHITECTURE.md, written out independently of the code under test.
NEXT = {
    S.PAID: {S.DESIGNING, S.PLANNED},
    S.DESIGNING: {S.PLANNED},
    S.PLANNED: {S.IN_PRODUCTION},
    S.IN_PRODUCTION: {S.QUALITY_CHECK},
    S.QUALITY_CHECK: {S.PACKAGING, S.IN_PRODUCTION},
    S.PACKAGING: {S.SHIPPED},
    S.SHIPPED: {S.DELIVERED},
}
BEFORE_PRODUCTION = {S.PLACED, S.PAID, S.DESIGNING, S.PLANNED}
HOLDABLE = {S.PAID, S.DESIGNING, S.PLANNED, S.IN_PRODUCTION, S.QUALITY_CHECK, S.PACKAGING}
REFUNDABLE = {S.PAID, S.DESIGNING, S.PLANNED, S.ON_HOLD, S.CANCELLED, S.SHIPPED, S.DELIVERED}


@dataclass
class Model:
    """What the test believes about one order."""

    id: str
    total: int
    state: S = S.PLACED
    held_from: S | None = None
    version: int = 1
    captured: int = 0
    refunded: int = 0
    pending: list[Callback] = field(default_factory=list)  # undelivered provider callbacks
    delivered: list[Callback] = field(default_factory=list)
    payment_open: bool = False


class OrderLifecycle(RuleBasedStateMachine):
    platform: Platform
    world: World

    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.outbox: list[list[Callback]] = []
        self.provider = TestPaymentProvider("x" * 40, deliver_later=self.outbox.append)
        self.models: dict[str, Model] = {}

    def _command(self, model: Model, allowed: bool, run: object) -> None:
        """Run a command; the service must accept it exactly when the model allows it."""
        assert callable(run)
        try:
            with self.platform.db.write() as session:
                run(session)
            accepted = True
        except C2MError:
            accepted = False
        assert accepted == allowed, f"service accepted={accepted}, model allows={allowed}"
        if accepted:
            model.version += 1

    @rule(target=orders, quantity=st.integers(1, 5))
    def place(self, quantity: int) -> Model:
        data = NewOrder(lines=[NewLine(product_id=self.world.product_a.id, quantity=quantity)])
        with self.platform.db.write() as session:
            order = service.place_order(session, self.world.alice.actor, data)
        model = Model(order.id, order.total)
        self.models[order.id] = model
        return model

    @rule(model=orders, method=st.sampled_from(METHODS))
    def pay(self, model: Model, method: str) -> None:
        allowed = model.state is S.PLACED and not model.payment_open
        before = len(self.outbox)
        self._command(
            model,
            allowed,
            lambda s: service.pay(
                s, self.world.alice.actor, model.id, Pay(payment_method=method), self.provider
            ),
        )
        if not allowed:
            return
        if method == "test-ok":
            model.state, model.captured = S.PAID, model.captured + model.total
        elif method in {"test-delayed", "test-delayed-fail"}:
            assert len(self.outbox) == before + 1
            model.pending = list(self.outbox[-1])  # includes a duplicate, out of order
            model.payment_open = True

    @rule(model=orders, pick=st.integers(0, 10))
    def webhook(self, model: Model, pick: int) -> None:
        """Deliver one provider callback (possibly a repeat or out of order)."""
        candidates = model.pending + model.delivered
        if not candidates:
            return
        callback = candidates[pick % len(candidates)]
        changes = (
            model.payment_open
            and callback not in model.delivered
            and callback.kind != "processing"
            and not any(c.seq >= callback.seq for c in model.delivered)
        )
        with self.platform.db.write() as session:
            applied = service.apply_callback(session, callback, self.provider)
        if callback in model.pending:
            model.pending.remove(callback)
            if callback not in model.delivered:
                model.delivered.append(callback)
        assert applied == changes
        if not changes:
            return
        model.version += 1
        model.payment_open = False
        if callback.kind == "failed":
            return
        model.captured += model.total
        if model.state is S.PLACED:
            model.state = S.PAID
        else:
            model.refunded, model.state = model.captured, S.REFUNDED

    @rule(model=orders)
    def cancel(self, model: Model) -> None:
        allowed = model.state in BEFORE_PRODUCTION
        self._command(
            model,
            allowed,
            lambda s: service.cancel(s, self.world.alice.actor, model.id, Cancel(), self.provider),
        )
        if allowed:
            model.state = S.CANCELLED
            if model.captured > model.refunded:
                model.refunded, model.state = model.captured, S.REFUNDED

    @rule(model=orders)
    def refund(self, model: Model) -> None:
        allowed = model.state in REFUNDABLE and model.captured > model.refunded
        self._command(
            model,
            allowed,
            lambda s: service.refund(
                s, self.world.maker_a.actor, model.id, Cancel(), self.provider
            ),
        )
        if allowed:
            model.refunded, model.state = model.captured, S.REFUNDED

    @rule(model=orders, target_state=st.sampled_from(list(S)))
    def advance(self, model: Model, target_state: S) -> None:
        if target_state is S.ON_HOLD:
            allowed = model.state in HOLDABLE
        elif model.state is S.ON_HOLD:
            allowed = target_state is model.held_from
        else:
            allowed = target_state in NEXT.get(model.state, set())
        self._command(
            model,
            allowed,
            lambda s: service.advance(
                s, self.world.maker_a.actor, model.id, Advance(to=target_state)
            ),
        )
        if allowed:
            if target_state is S.ON_HOLD:
                model.held_from = model.state
            elif model.state is S.ON_HOLD:
                model.held_from = None
            model.state = target_state

    @rule(model=consumes(orders))
    def stranger_cannot_touch(self, model: Model) -> None:
        """Bob may neither see, pay nor cancel Alice's order; nothing changes."""
        for run in (
            lambda s: service.cancel(s, self.world.bob.actor, model.id, Cancel(), self.provider),
            lambda s: service.pay(
                s, self.world.bob.actor, model.id, Pay(payment_method="test-ok"), self.provider
            ),
            lambda s: service.advance(s, self.world.bob.actor, model.id, Advance(to=S.ON_HOLD)),
        ):
            self._command(model, False, run)

    @invariant()
    def database_matches_model(self) -> None:
        with self.platform.db.read() as session:
            for model in self.models.values():
                order = session.get(Order, model.id)
                assert order is not None
                assert order.state is model.state
                assert order.version == model.version
                assert order.captured == model.captured <= order.total * 2
                assert order.refunded == model.refunded <= order.captured
                captured = sum(
                    p.amount
                    for p in session.scalars(select(Payment).where(Payment.order_id == order.id))
                    if p.status is PaymentStatus.SUCCEEDED
                )
                assert captured == order.captured, "money captured twice or lost"
                seqs = list(
                    session.scalars(
                        select(OrderEvent.seq)
                        .where(OrderEvent.order_id == order.id)
                        .order_by(OrderEvent.seq)
                    )
                )
                assert seqs == list(range(1, order.last_seq + 1)), "timeline has gaps"
                events = list(
                    session.scalars(
                        select(OrderEvent.progress)
                        .where(OrderEvent.order_id == order.id)
                        .order_by(OrderEvent.seq)
                    )
                )
                assert events == sorted(events), "progress moved backwards"


@pytest.mark.slow
def test_order_lifecycle_state_machine(platform: Platform, world: World) -> None:
    OrderLifecycle.platform = platform
    OrderLifecycle.world = world
    run_state_machine_as_test(
        OrderLifecycle,
        settings=settings(
            max_examples=100,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
