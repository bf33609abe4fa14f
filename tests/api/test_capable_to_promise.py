"""Issue 18: a configured product's promise comes from the live plan as well as the template's
rules. A fridge configured while the factory is idle ships when its rules say; while the sheet
cutters are booked for a month it ships after that, shown as a "Factory load" line, and the
order keeps the later promise; machines not connected promise nothing either way. Out of sheet
steel, it ships when the steel can be there and cut, shown as a "Waiting for" line."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.demo.factory import demo_factory
from c2m.demo.templates import REFRIGERATOR
from c2m.domains.factory.models import Machine
from c2m.domains.factory.service import register_plant
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.materials import service as materials
from c2m.domains.materials.models import StockLot
from c2m.domains.materials.schemas import MaterialIn
from c2m.domains.orders.promises import promises
from c2m.kernel.clock import utcnow
from tests.conftest import World, pay_for, publish_template
from tests.factory_support import load_machines

RULE_DAYS = 10  # the fridge's "Build to order", with the default options


@pytest.fixture
def fridge(client: TestClient, world: World, platform: Platform) -> str:
    """Alpha Works offers the fridge and runs the demo plant, every machine connected."""
    with platform.db.write() as session:
        register_plant(session, world.enterprise_a.id, demo_factory())
        for machine in session.scalars(select(Machine)):
            machine.state = MachineState.IDLE
    return publish_template(client, world, REFRIGERATOR)


def lead_time(client: TestClient, world: World, template_id: str) -> dict:
    answer = client.post(
        f"/api/v1/templates/{template_id}/configure",
        json={"choices": {}},
        headers=world.alice.headers,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["lead_time"])


def test_a_loaded_factory_promises_a_fridge_later_and_the_order_keeps_it(
    client: TestClient, world: World, platform: Platform, fridge: str
) -> None:
    idle = lead_time(client, world, fridge)
    assert idle["days"] == RULE_DAYS
    assert "plan" not in [line["id"] for line in idle["lines"]]

    load_machines(platform, world, client, "sheet-cut", days=30)  # the fridge's first step
    loaded = lead_time(client, world, fridge)
    assert loaded["days"] > 30
    (extra,) = [line for line in loaded["lines"] if line["id"] == "plan"]
    assert extra["label"] == "Factory load"
    assert extra["amount"] == loaded["days"] - RULE_DAYS

    design = client.post(
        "/api/v1/designs",
        json={"template_id": fridge, "name": "Kitchen", "configuration": {}},
        headers=world.alice.headers,
    ).json()
    order = client.post(f"/api/v1/designs/{design['id']}/order", headers=world.alice.headers)
    assert order.status_code == 201, order.text
    pay_for(client, world.alice, order.json())
    with platform.db.read() as session:  # the date the order page shows
        promised = promises(session, [order.json()["id"]])[order.json()["id"]]
    assert promised == utcnow().date() + timedelta(days=loaded["days"])


def test_machines_not_connected_leave_the_promise_to_the_rules(
    client: TestClient, world: World, platform: Platform, fridge: str
) -> None:
    load_machines(platform, world, client, "sheet-cut", days=30)
    with platform.db.write() as session:
        for machine in session.scalars(select(Machine)):
            if "sheet-cut" in machine.capabilities:
                machine.state = MachineState.OFFLINE
    assert lead_time(client, world, fridge)["days"] == RULE_DAYS


def test_the_promise_counts_only_the_cutters_shifts(
    client: TestClient, world: World, platform: Platform, fridge: str
) -> None:
    load_machines(platform, world, client, "sheet-cut", days=20)
    around_the_clock = lead_time(client, world, fridge)["days"]
    one_hour = {"start": "09:00", "end": "10:00"}
    week = {day: [one_hour] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    with platform.db.write() as session:
        for machine in session.scalars(select(Machine)):
            machine.calendar = {"timezone": "UTC", "week": week}
    assert lead_time(client, world, fridge)["days"] > around_the_clock


def test_out_of_sheet_steel_a_fridge_is_promised_when_the_steel_can_be_there(
    client: TestClient, world: World, platform: Platform, fridge: str
) -> None:
    steel = MaterialIn(name="Sheet steel 0.8 mm", unit="m²", lead_days=25)
    with platform.db.write() as session:
        factory = session.scalars(select(Machine.factory_id)).first()
        assert factory is not None
        material = materials.define(session, world.enterprise_a.id, "sheet-steel-0.8", steel)
        materials.receive(session, material, factory, Decimal(100), "coil-1", utcnow())
    assert lead_time(client, world, fridge)["days"] == RULE_DAYS  # 100 m² on hand

    with platform.db.write() as session:  # another order took all but one m²
        for lot in session.scalars(select(StockLot)):
            lot.remaining = 1000
    short = lead_time(client, world, fridge)
    assert short["days"] > 25
    (waiting,) = [line for line in short["lines"] if line["id"] == "material"]
    assert waiting["label"] == "Waiting for Sheet steel 0.8 mm"

    with platform.db.write() as session:  # a coil is on its way, due in 12 days
        material = materials.define(session, world.enterprise_a.id, "sheet-steel-0.8", steel)
        materials.receive(
            session, material, factory, Decimal(50), "po-7", utcnow(), utcnow() + timedelta(days=12)
        )
    coming = lead_time(client, world, fridge)["days"]
    assert RULE_DAYS < 13 <= coming < short["days"]
