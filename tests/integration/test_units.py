"""Issue 17, units: every piece gets a serial when its work starts (a line of two makes two
units), the order lists them with their passport URLs, and a repeated or concurrent delivery
of the start makes them once."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.models import Factory
from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.schemas import NewLine, NewOrder
from c2m.domains.planning.models import WorkOrder
from c2m.domains.traceability.models import Unit
from c2m.domains.traceability.serials import UnitSerials
from c2m.workers.production import ProductionLoop
from tests.conftest import World, place_order
from tests.factory_support import Plant, paid_orders, production, run_until_shipped

SERIAL = re.compile(r"^\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-\d{2}$")


def test_each_piece_gets_a_serial_when_its_work_starts_and_the_order_lists_them(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    orders = paid_orders(client, world, 2)  # two stools each
    answer = client.get(f"/api/v1/orders/{orders[0]}", headers=world.alice.headers)
    assert answer.json()["units"] == []  # nothing started yet
    loop = ProductionLoop(platform.db, plant.gateway, production(platform))
    run_until_shipped(loop, plant, orders)
    while platform.relay.relay_once():  # the worker's relay hands the starts to the handlers
        pass

    serials = set()
    for order_id in orders:
        units = client.get(f"/api/v1/orders/{order_id}", headers=world.alice.headers).json()
        assert [u["number"] for u in units["units"]] == [1, 2]
        for unit in units["units"]:
            assert SERIAL.match(unit["serial"]), unit["serial"]
            assert unit["passport_url"] == f"{platform.settings.base_url}/u/{unit['serial']}"
            serials.add(unit["serial"])
        first, second = (u["serial"] for u in units["units"])
        assert first[:-3] == second[:-3]  # one work order's pieces share the stem
    assert len(serials) == 4
    stranger = client.get(f"/api/v1/orders/{orders[0]}", headers=world.bob.headers)
    assert stranger.status_code == 404


def test_a_repeated_start_makes_the_units_once(world: World, platform: Platform) -> None:
    Plant(platform, world)  # a factory of Alpha Works
    with platform.db.write() as session:
        data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=3)])
        order = place_order(session, world.alice.actor, data)
        factory_id = session.scalars(select(Factory.id)).one()
        work = WorkOrder(
            order_id=order.id,
            line_id=order.lines[0].id,
            factory_id=factory_id,
            product_name="Stool",
            quantity=3,
        )
        session.add(work)
        session.flush()
        work_id = work.id
    handler = UnitSerials(platform.db)
    started = {
        "type": OrderEventType.OPERATION_STARTED.value,
        "data": {"work_order": work_id, "started_at": "2026-12-07T10:00:00+00:00"},
    }
    for _ in range(3):
        handler("orders.started", started)
    with platform.db.read() as session:
        numbers = session.scalars(select(Unit.number).where(Unit.work_order_id == work_id))
        assert sorted(numbers) == [1, 2, 3]
