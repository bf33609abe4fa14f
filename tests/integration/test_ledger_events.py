"""The ledger posts from the order timeline: a captured payment splits into the platform's fee
and the micro-enterprise's revenue, a refund reverses it exactly, a repeated delivery of the
same outbox message posts nothing more, and what a failed handler missed is caught up once."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.domains.ledger.chain import verify
from c2m.domains.ledger.models import LedgerTransaction, TransactionKind
from c2m.domains.ledger.rules import Role, account
from c2m.domains.ledger.statements import trial_balance
from c2m.domains.orders import service
from c2m.domains.orders.events import TOPIC_PREFIX
from c2m.domains.orders.schemas import Cancel, NewLine, NewOrder, Pay
from c2m.kernel.db import Database
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


class AwayOnce:
    """The database as the ledger's handler sees it: away for its next write, then back."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.away = True

    def write(self) -> AbstractContextManager[Session]:
        if self.away:
            self.away = False
            raise OperationalError("INSERT …", {}, Exception("the database is away"))
        return self.db.write()


def test_the_catch_up_posts_what_a_failed_handler_missed_once(
    platform: Platform, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platform.ledger, "db", AwayOnce(platform.db))
    missed = paid_order(platform, world)  # its handler fails: the message is gone
    monkeypatch.setattr(platform.ledger, "db", platform.db)
    posted = paid_order(platform, world, quantity=2)
    # Paid while the ledger was away, then refunded: the refund finds no payment to reverse,
    # posts the one it never heard of and gives it back; the catch-up leaves that payment be.
    monkeypatch.setattr(platform.ledger, "db", AwayOnce(platform.db))
    refunded = paid_order(platform, world, quantity=1)
    monkeypatch.setattr(platform.ledger, "db", platform.db)
    with platform.db.write() as session:
        service.refund(
            session, world.maker_a.actor, refunded, Cancel(reason="broken"), platform.payments
        )
    while platform.relay.relay_once():
        pass

    def payments() -> dict[str, int]:
        with platform.db.read() as session:
            rows = session.execute(
                select(LedgerTransaction.reference, func.count())
                .where(LedgerTransaction.kind == TransactionKind.PAYMENT)
                .group_by(LedgerTransaction.reference)
            )
            return {str(reference): count for reference, count in rows}

    assert payments() == {posted: 1, refunded: 1}
    assert platform.ledger.catch_up(settle=timedelta(0)) == 1
    assert platform.ledger.catch_up(settle=timedelta(0)) == 0  # nothing is posted twice
    assert payments() == {missed: 1, posted: 1, refunded: 1}
    with platform.db.read() as session:
        assert trial_balance(session).balanced
        assert verify(session) == (4, None)  # three payments and a refund
    assert balances(platform)[account(Role.PAYMENT_CLEARING)[0]] == 13500 + 9000
