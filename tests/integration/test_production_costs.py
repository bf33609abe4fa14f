"""Issue 16, production costs: every finished step charges its machine time to the order's
micro-enterprise at the machine's hourly rate, once per attempt, however often the news comes."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from c2m.bootstrap import Platform
from c2m.domains.factory.models import JobAttempt, Machine
from c2m.domains.ledger import production
from c2m.domains.ledger.models import LedgerTransaction, TransactionKind
from c2m.domains.ledger.rules import Role, account, machine_cost
from c2m.domains.ledger.statements import trial_balance
from c2m.domains.orders.models import OrderEvent
from c2m.workers.production import ProductionLoop
from tests.api.test_statements import relay
from tests.conftest import World
from tests.factory_support import Plant, paid_orders, run_until_shipped
from tests.factory_support import production as production_settings

RATE = 4500  # EUR 45.00 an hour


def test_finished_steps_charge_machine_time_once(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    with platform.db.write() as session:
        session.execute(update(Machine).values(hourly_rate=RATE))
    [order_id] = paid_orders(client, world, 1)
    loop = ProductionLoop(platform.db, plant.gateway, production_settings(platform))
    run_until_shipped(loop, plant, [order_id])
    with platform.db.write() as session:
        done = [
            str(event.data["attempt"])
            for event in session.scalars(
                select(OrderEvent).where(
                    OrderEvent.order_id == order_id, OrderEvent.type == "operation_done"
                )
            )
        ]
        # The twin runs faster than the clock its reports are stamped with: give each finished
        # attempt ten minutes on its machine before the ledger hears of it.
        for attempt in session.scalars(select(JobAttempt).where(JobAttempt.attempt_id.in_(done))):
            assert attempt.ended_at is not None
            attempt.started_at = attempt.ended_at - timedelta(minutes=10)
    relay(platform)

    with platform.db.read() as session:
        costs = session.scalars(
            select(LedgerTransaction.key).where(LedgerTransaction.kind == TransactionKind.COST)
        ).all()
        balances = {b.account: b.amount for b in trial_balance(session).accounts}
    assert len(done) >= 3
    expected = len(done) * machine_cost(600, RATE)  # 7.50 each
    assert sorted(costs) == sorted(f"cost:attempt:{attempt}" for attempt in done)
    assert balances[account(Role.MACHINE_HOURS)[0]] == -expected
    revenue = 8100  # 90.00 paid, less the 10 % fee
    assert balances[account(Role.ENTERPRISE, world.enterprise_a.id)[0]] == expected - revenue

    with platform.db.write() as session:  # the same step again: nothing more
        assert production.charge_step(session, order_id, done[0]) is None
    with platform.db.read() as session:
        assert trial_balance(session).balanced


def test_a_step_worth_less_than_a_cent_charges_nothing_and_fails_nothing(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    with platform.db.write() as session:
        session.execute(update(Machine).values(hourly_rate=400))  # a home printer's EUR 4.00
    [order_id] = paid_orders(client, world, 1)
    loop = ProductionLoop(platform.db, plant.gateway, production_settings(platform))
    run_until_shipped(loop, plant, [order_id])
    with platform.db.write() as session:
        query = select(OrderEvent).where(
            OrderEvent.order_id == order_id, OrderEvent.type == "operation_done"
        )
        attempt_id = str(session.scalars(query).first().data["attempt"])  # type: ignore[union-attr]
        attempt = session.get(JobAttempt, attempt_id)
        assert attempt is not None
        assert attempt.ended_at is not None
        attempt.started_at = attempt.ended_at - timedelta(seconds=2)  # 0.22 of a cent
    with platform.db.write() as session:
        assert production.charge_step(session, order_id, attempt_id) is None
