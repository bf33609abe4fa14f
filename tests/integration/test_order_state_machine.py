"""Acceptance 4: random sequences of place / pay / decline / webhook repeats / cancel / refund /
advance against a real database, checked after every step against an independent model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
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
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.domains.orders import service
from c2m.domains.orders.models import Order, OrderEvent, Payment, PaymentStatus
from c2m.domains.orders.payments import Callback, TestPaymentProvider
from c2m.domains.orders.schemas import Advance, Cancel, NewLine, NewOrder, Pay
from c2m.domains.orders.states import MAIN_LINE, OrderState, legal_moves
from c2m.kernel.errors import C2MError
from tests.conftest import World, place_order

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
            order = place_order(session, self.world.alice.actor, data)
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


def _one_step_on(order: Order) -> S:
    """The state after the order's on the main line (the order's own when off it or at the end)."""
    if order.state not in MAIN_LINE or order.state is S.DELIVERED:
        return order.state
    return MAIN_LINE[MAIN_LINE.index(order.state) + 1]


#: What the factory's lights-out loop may do to an order, through the orders domain.
FACTORY: dict[str, Callable[[Session, Order], None]] = {
    "hold": lambda s, o: service.hold(s, o, actor="factory", data={}),
    "resume": lambda s, o: service.resume(s, o, actor="factory", data={}),
    "step": lambda s, o: service.advance_by_factory(s, o, _one_step_on(o), actor="factory"),
    "ship": lambda s, o: service.advance_by_factory(s, o, S.SHIPPED, actor="factory"),
    "remake": lambda s, o: service.remake(s, o, actor="factory", data={}),
}


def _snapshot(platform: Platform, order_id: str) -> tuple[S, S | None, int, int, int]:
    with platform.db.read() as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.state, order.held_from, order.progress, order.version, order.last_seq


def _states_after(platform: Platform, order_id: str, seq: int) -> list[S]:
    """The states the order's timeline shows after event ``seq``, in order."""
    with platform.db.read() as session:
        query = select(OrderEvent.state).where(
            OrderEvent.order_id == order_id, OrderEvent.seq > seq
        )
        return list(session.scalars(query.order_by(OrderEvent.seq)))


def test_lights_out_moves_stay_in_the_table_and_never_lose_progress(
    platform: Platform, world: World
) -> None:
    """A random walk of hold / resume / advance / remake on a paid order: every change of
    state is one the table allows, a refused move changes nothing, progress never goes back,
    and each accepted command is one version step with its events."""

    @given(st.lists(st.sampled_from(sorted(FACTORY)), max_size=15))
    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    def walk(steps: list[str]) -> None:
        data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=1)])
        with platform.db.write() as session:
            order_id = place_order(session, world.alice.actor, data).id
        provider = TestPaymentProvider("x" * 40)
        with platform.db.write() as session:
            service.pay(
                session, world.alice.actor, order_id, Pay(payment_method="test-ok"), provider
            )
        for move in steps:
            state, held_from, progress, version, last_seq = before = _snapshot(platform, order_id)
            try:
                with platform.db.write() as session:
                    order = session.get(Order, order_id, with_for_update=True)
                    assert order is not None
                    FACTORY[move](session, order)
            except C2MError:
                assert _snapshot(platform, order_id) == before, "a refused move changed the order"
                continue
            now, now_held, now_progress, now_version, now_seq = _snapshot(platform, order_id)
            for reached in _states_after(platform, order_id, last_seq):  # one move at a time
                assert reached is state or reached in legal_moves(state, held_from)
                if reached is S.ON_HOLD and state is not S.ON_HOLD:
                    held_from = state
                elif state is S.ON_HOLD and reached is not S.ON_HOLD:
                    held_from = None
                state = reached
            assert now is state
            assert (now_held is not None) == (now is S.ON_HOLD)
            assert now_progress >= progress, "progress moved backwards"
            assert now_version == version + (now_seq > last_seq), "more than one version step"

    walk()
