"""Issue 17, acceptance: a pre-order batch of 12 is released as one work order of 12 units,
each with its own serial and passport. Each unit is its pre-order's: its customer sees it and
its passport, nobody else's; every pre-order's timeline follows the one work order to
delivered; the work order's machine time is charged to the pre-orders in shares that add up."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from c2m.bootstrap import Platform
from c2m.domains.catalog import templates
from c2m.domains.factory.models import JobAttempt, Machine
from c2m.domains.ledger.models import LedgerPosting, LedgerTransaction, TransactionKind
from c2m.domains.ledger.rules import Role, account, machine_cost
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.planning import progress
from c2m.domains.planning.models import Operation, WorkOrder, WorkOrderLine
from c2m.domains.planning.work_orders import open_work_orders
from c2m.domains.traceability.models import Unit
from c2m.domains.traceability.verification import check
from c2m.kernel.clock import utcnow
from c2m.workers.production import ProductionLoop
from tests.api.test_statements import relay
from tests.conftest import Person, World, add_person
from tests.factory_support import (
    MAIN_LINE,
    Plant,
    production,
    run_until_shipped,
    timeline,
)
from tests.integration.test_preorder_batches import open_batch, pay, preorder, settle, together

BATCH = 12
RATE = 4500  # EUR 45.00 an hour


def join(client: TestClient, circle_id: str, person: Person) -> None:
    joined = client.put(f"/api/v1/circles/{circle_id}/membership", headers=person.headers)
    assert joined.status_code == 200, joined.text


def buyers(client: TestClient, platform: Platform, circle_id: str, count: int) -> list[Person]:
    """``count`` new members of the circle."""
    people = [add_person(platform, f"buyer{i}") for i in range(count)]
    for person in people:
        join(client, circle_id, person)
    return people


def served(platform: Platform, order_ids: list[str]) -> dict[str, str]:
    """The work order making each order's pieces."""
    with platform.db.read() as session:
        rows = session.execute(
            select(WorkOrderLine.order_id, WorkOrderLine.work_order_id).where(
                WorkOrderLine.order_id.in_(order_ids)
            )
        )
        return dict(rows.all())


def test_a_batch_of_12_is_one_work_order_of_12_units_each_its_preorders(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    with platform.db.write() as session:
        session.execute(update(Machine).values(hourly_rate=RATE))
    circle_id, batch_id = open_batch(client, world, threshold=BATCH)
    people = buyers(client, platform, circle_id, BATCH)
    orders = [preorder(client, batch_id, person)["id"] for person in people]
    together(*(lambda p=p, o=o: pay(platform, p, o) for p, o in zip(people, orders, strict=True)))

    settled = together(lambda: settle(platform), lambda: settle(platform))
    assert [(s.status.value, s.orders) for s in settled] == [("released", BATCH)]
    works = served(platform, orders)
    assert set(works) == set(orders)
    [work_id] = set(works.values())
    with platform.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WorkOrder)) == 1
        work = session.get(WorkOrder, work_id)
        assert work is not None
        assert work.quantity == BATCH
        # One routing for twelve pieces: the minutes of an order of twelve of the model.
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == orders[0])).one()
        assert line.template_id is not None
        loaded = templates.load(session, world.maker_a.actor, line.template_id, 1)
        twelve = templates.priced(loaded.compiled, line.configuration or {}, BATCH)
        minutes = session.execute(
            select(Operation.step, Operation.minutes).where(Operation.work_order_id == work_id)
        )
        assert dict(minutes.all()) == {
            step["id"]: max(1, step["minutes"]) for step in twelve.routing_json()
        }
    with platform.db.write() as session:  # the planner's next round takes it as new work
        assert open_work_orders(session) == {work.factory_id: "new work"}
        assert open_work_orders(session) == {}

    loop = ProductionLoop(platform.db, plant.gateway, production(platform))
    run_until_shipped(loop, plant, orders)
    with platform.db.write() as session:
        # The twin runs faster than the clock its reports are stamped with: ten minutes each.
        for attempt in session.scalars(select(JobAttempt)):
            if attempt.ended_at is not None:
                attempt.started_at = attempt.ended_at - timedelta(minutes=10)
    relay(platform)  # the starts make the units; the finished steps are charged
    with platform.db.write() as session:
        assert progress.deliver_shipped(session, utcnow() + timedelta(seconds=1)) == BATCH

    with platform.db.read() as session:
        units = list(session.scalars(select(Unit).where(Unit.work_order_id == work_id)))
    assert sorted(u.number for u in units) == list(range(1, BATCH + 1))
    assert sorted(u.order_id for u in units) == sorted(orders)  # one unit for each pre-order
    assert len({u.serial for u in units}) == BATCH
    assert len({u.serial[:-3] for u in units}) == 1  # the batch's pieces share the stem

    keys = client.get("/.well-known/did.json").json()
    as_json = {"Accept": "application/json"}
    for index, (person, order_id) in enumerate(zip(people, orders, strict=True)):
        mine = client.get(f"/api/v1/orders/{order_id}", headers=person.headers).json()
        assert mine["state"] == "delivered"
        [unit] = mine["units"]
        assert unit["serial"] == next(u.serial for u in units if u.order_id == order_id)
        passport = client.get(f"/u/{unit['serial']}", headers={**as_json, **person.headers})
        assert passport.status_code == 200, passport.text
        assert check(passport.json(), keys).serial == unit["serial"]
        assert passport.json()["credentialSubject"]["product"]["batchNumber"] == batch_id
        other = people[(index + 1) % BATCH]
        refused = client.get(f"/u/{unit['serial']}", headers={**as_json, **other.headers})
        assert refused.status_code == 403
        events = timeline(platform, order_id)
        reached = [e.state for e in events if e.type == e.state and e.state in MAIN_LINE]
        assert reached == MAIN_LINE
        kinds = [e.type for e in events]
        assert kinds.count("operation_started") == kinds.count("operation_done") >= 3
        assert "batch_released" in kinds

    with platform.db.read() as session:
        done = {
            str(e.data["attempt"])
            for e in session.scalars(
                select(OrderEvent).where(
                    OrderEvent.order_id == orders[0], OrderEvent.type == "operation_done"
                )
            )
        }
        charged: dict[str, int] = defaultdict(int)
        enterprise = account(Role.ENTERPRISE, world.enterprise_a.id)[0]
        rows = session.execute(
            select(LedgerTransaction.key, LedgerTransaction.reference, LedgerPosting.amount)
            .join(LedgerPosting, LedgerPosting.transaction_id == LedgerTransaction.id)
            .where(LedgerTransaction.kind == TransactionKind.COST)
            .where(LedgerPosting.account == enterprise)
        )
        by_order: dict[str, int] = defaultdict(int)
        for key, reference, amount in rows:
            charged[key.split(":")[2]] += amount
            by_order[str(reference)] += amount
    assert set(charged) == done
    assert all(total == machine_cost(600, RATE) for total in charged.values())  # shares add up
    assert set(by_order) == set(orders)
    assert max(by_order.values()) - min(by_order.values()) <= len(done)  # a cent a step at most


def test_only_paid_preorders_are_in_the_batchs_work_order(
    client: TestClient, world: World, platform: Platform
) -> None:
    """A cancelled pre-order is left out; one paid after the release is made on its own."""
    Plant(platform, world)
    circle_id, batch_id = open_batch(client, world, threshold=2)
    people = buyers(client, platform, circle_id, 4)
    orders = [preorder(client, batch_id, person)["id"] for person in people]
    for person, order_id in zip(people[:3], orders[:3], strict=True):
        pay(platform, person, order_id)
    with platform.db.read() as session:
        version = session.scalar(select(Order.version).where(Order.id == orders[2]))
    cancelled = client.post(
        f"/api/v1/orders/{orders[2]}/cancel",
        json={"reason": "changed my mind", "expected_version": version},
        headers=people[2].headers,
    )
    assert cancelled.status_code == 200, cancelled.text

    assert [(s.status.value, s.orders) for s in settle(platform)] == [("released", 3)]
    works = served(platform, orders)
    assert set(works) == set(orders[:2])
    with platform.db.read() as session:
        work = session.get(WorkOrder, works[orders[0]])
        assert work is not None
        assert work.quantity == 2

    pay(platform, people[3], orders[3])
    with platform.db.write() as session:
        open_work_orders(session)
    late = served(platform, orders)
    assert late[orders[3]] != works[orders[0]]  # a work order of its own
    assert orders[2] not in late
