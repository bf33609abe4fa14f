"""The ledger posts from the order timeline: a captured payment splits into the platform's fee
and the micro-enterprise's revenue, a refund reverses it exactly, and a repeated delivery of
the same outbox message posts nothing more."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from c2m.bootstrap import Platform
from c2m.domains.ledger.chain import verify
from c2m.domains.ledger.models import LedgerTransaction, TransactionKind
from c2m.domains.ledger.rules import Role, account
from c2m.domains.ledger.statements import trial_balance
from c2m.domains.orders import service
from c2m.domains.orders.events import TOPIC_PREFIX
from c2m.domains.orders.schemas import Cancel, NewLine, NewOrder, Pay
from c2m.kernel.outbox import OutboxMessage
from tests.conftest import World, place_order


def paid_order(platform: Platform, world: World, quantity: int = 3) -> str:
    data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=quantity)])
    with platform.db.write() as session:
        order = place_order(session, world.alice.actor, data)
    with platform.db.write() as session:
        service.pay(
            session, world.alice.actor, order.id, Pay(payment_method="test-ok"), platform.payments
        )
    while platform.relay.relay_once():
        pass
    return order.id


def balances(platform: Platform) -> dict[str, int]:
    with platform.db.read() as session:
        return {b.account: b.amount for b in trial_balance(session).accounts}


def test_a_paid_order_is_posted_once_and_a_refund_reverses_it(
    platform: Platform, world: World
) -> None:
    order_id = paid_order(platform, world)  # 3 x 45.00 EUR
    enterprise, _ = account(Role.ENTERPRISE, world.enterprise_a.id)
    fees, _ = account(Role.PLATFORM_FEES)
    clearing, _ = account(Role.PAYMENT_CLEARING)
    assert balances(platform) == {clearing: 13500, fees: -1350, enterprise: -12150}

    with platform.db.read() as session:
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic.startswith(TOPIC_PREFIX))
        ).all()
    paid: dict[str, Any] = next(
        {**m.payload, "message_id": m.id} for m in message if m.payload["type"] == "paid"
    )
    platform.bus.publish(message[0].topic, paid)  # delivered again: nothing more is posted
    assert balances(platform)[clearing] == 13500

    owner = world.maker_a.actor
    with platform.db.write() as session:
        service.refund(session, owner, order_id, Cancel(reason="broken"), platform.payments)
    while platform.relay.relay_once():
        pass
    assert set(balances(platform).values()) == {0}
    with platform.db.read() as session:
        kinds = session.execute(
            select(LedgerTransaction.kind, func.count()).group_by(LedgerTransaction.kind)
        ).all()
        assert dict(kinds) == {TransactionKind.PAYMENT: 1, TransactionKind.REFUND: 1}
        assert trial_balance(session).balanced
        assert verify(session) == (2, None)
