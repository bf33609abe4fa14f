"""A micro-enterprise keeps its materials' stock through the API: it stocks a material, takes in
a delivery, sees what paid work holds and what to buy, places a purchase and books its arrival;
strangers see nothing, and bad input is refused in words (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.demo.factory import demo_factory
from c2m.demo.templates import REFRIGERATOR
from c2m.domains.factory.models import Factory
from c2m.domains.factory.service import register_plant
from c2m.domains.planning.work_orders import open_work_orders
from c2m.kernel.clock import utcnow
from tests.api.quoting_support import box_stl, open_shop
from tests.api.test_quotes import quote, upload
from tests.conftest import World, order_design, pay_for

STEEL = {
    "name": "Sheet steel 0.8 mm",
    "unit": "m²",
    "reorder_point": 30,
    "reorder_quantity": 100,
    "lead_days": 4,
    "supplier": "Ruhr Coil GmbH",
}


@pytest.fixture
def factory(platform: Platform, world: World) -> str:
    """Alpha Works runs the demo plant; its factory's id."""
    with platform.db.write() as session:
        register_plant(session, world.enterprise_a.id, demo_factory())
        return session.scalars(select(Factory.id)).one()


def test_a_team_stocks_steel_sees_what_work_holds_and_what_to_buy(
    client: TestClient, platform: Platform, world: World, factory: str
) -> None:
    base = f"/api/v1/enterprises/{world.enterprise_a.id}"
    maker = world.maker_a.headers
    stocked = client.put(f"{base}/materials/sheet-steel-0.8", json=STEEL, headers=maker)
    assert stocked.status_code == 200, stocked.text
    assert stocked.json()["levels"] == []
    lot = {"factory_id": factory, "quantity": 24.5, "code": "coil-1"}
    received = client.post(f"{base}/materials/sheet-steel-0.8/lots", json=lot, headers=maker)
    assert received.status_code == 201, received.text
    assert received.json()["arrived_at"] is not None

    pay_for(client, world.alice, order_design(client, world, REFRIGERATOR, {}))
    with platform.db.write() as session:
        open_work_orders(session)
    (steel,) = client.get(f"{base}/materials", headers=maker).json()
    (level,) = steel["levels"]
    held = level["reserved"]
    assert 3 < held < 5  # one fridge's sheet steel
    assert level["on_hand"] == 24.5
    assert level["free"] == 24.5 - held
    assert level["buy"] == 100  # free stock below 30: the reorder quantity
    assert level["buy_arrives"][:10] == str((utcnow() + timedelta(days=4)).date())

    docks = (utcnow() + timedelta(days=4)).isoformat()
    purchase = {"factory_id": factory, "quantity": 100, "code": "po-1", "arriving": docks}
    placed = client.post(f"{base}/materials/sheet-steel-0.8/lots", json=purchase, headers=maker)
    assert placed.status_code == 201, placed.text
    (level,) = client.get(f"{base}/materials", headers=maker).json()[0]["levels"]
    assert (level["on_order"], level["buy"]) == (100, None)
    arrived = client.post(f"{base}/lots/{placed.json()['id']}/arrival", headers=maker)
    assert arrived.status_code == 200, arrived.text
    (level,) = client.get(f"{base}/materials", headers=maker).json()[0]["levels"]
    assert (level["on_hand"], level["on_order"]) == (124.5, 0)


def test_strangers_and_bad_lots_are_refused_in_words(
    client: TestClient, world: World, factory: str
) -> None:
    base = f"/api/v1/enterprises/{world.enterprise_a.id}"
    maker = world.maker_a.headers
    assert client.put(f"{base}/materials/steel", json=STEEL, headers=maker).status_code == 200
    assert client.get(f"{base}/materials", headers=world.maker_b.headers).status_code == 404
    lots = f"{base}/materials/steel/lots"
    lot = {"factory_id": factory, "quantity": 5, "code": "c-1"}
    assert client.post(lots, json=lot, headers=maker).status_code == 201

    again = client.post(lots, json=lot, headers=maker)
    assert again.status_code == 409
    assert "Lot 'c-1' of Sheet steel 0.8 mm is already in this factory" in again.json()["detail"]
    past = {**lot, "code": "c-2", "arriving": (utcnow() - timedelta(hours=1)).isoformat()}
    late = client.post(lots, json=past, headers=maker)
    assert late.status_code == 422
    assert "A purchase docks in the future" in late.json()["detail"]
    unknown = client.post(f"{base}/materials/copper/lots", json=lot, headers=maker)
    assert unknown.status_code == 404
    assert "stocks no material 'copper'" in unknown.json()["detail"]
    theirs = client.post(
        f"/api/v1/enterprises/{world.enterprise_b.id}/materials/steel/lots",
        json=lot,
        headers=world.maker_b.headers,
    )
    assert theirs.status_code == 404  # B stocks no steel, and A's factory is not B's
    bad = client.put(f"{base}/materials/Steel Plate", json=STEEL, headers=maker)
    assert bad.status_code == 422


def test_a_printed_part_holds_its_filament_by_the_gram(
    client: TestClient, platform: Platform, world: World
) -> None:
    """A quoted part's bill is its volume (and supports) in grams of the quoted material,
    stocked as ``<process>-<material>``."""
    open_shop(platform, world.enterprise_a)
    with platform.db.read() as session:
        factory = session.scalars(select(Factory.id)).one()
    base = f"/api/v1/enterprises/{world.enterprise_a.id}"
    pla = {"name": "PLA filament, 1.75 mm", "unit": "g"}
    stocked = client.put(f"{base}/materials/fdm-pla", json=pla, headers=world.maker_a.headers)
    assert stocked.status_code == 200, stocked.text
    spool = {"factory_id": factory, "quantity": 1000, "code": "spool-1"}
    lots = f"{base}/materials/fdm-pla/lots"
    assert client.post(lots, json=spool, headers=world.maker_a.headers).status_code == 201
    (part,) = upload(client, world, {"cube.stl": box_stl((20, 20, 20))})
    priced = quote(client, world, part["id"], quantity=3)
    ordered = client.post(
        "/api/v1/quote-orders", json={"quote_ids": [priced["id"]]}, headers=world.alice.headers
    )
    assert ordered.status_code == 201, ordered.text
    pay_for(client, world.alice, ordered.json())
    with platform.db.write() as session:
        open_work_orders(session)
    (level,) = client.get(f"{base}/materials", headers=world.maker_a.headers).json()[0]["levels"]
    # Three 8 cm³ cubes of PLA (1.24 g/cm³) are about 30 g; the quote's infill and supports
    # may add a little, never take away.
    assert 29 <= level["reserved"] <= 40
