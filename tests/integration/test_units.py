"""Issue 17, units: every piece gets a serial when its work starts (a line of two makes two
units), the order lists them with their passport URLs, its owner gets a signed passport that
verifies against the published keys while others see its public page, and a repeated delivery
of the start makes the units once."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import segno
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.models import Factory
from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.schemas import NewLine, NewOrder
from c2m.domains.planning.work_orders import open_work_order
from c2m.domains.traceability.models import Unit
from c2m.domains.traceability.serials import UnitSerials
from c2m.domains.traceability.verification import check
from c2m.workers.production import ProductionLoop
from tests.conftest import World, place_order
from tests.factory_support import Plant, paid_orders, production, run_until_shipped

SERIAL = re.compile(r"^\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-\d{2}$")


def test_each_piece_gets_a_serial_and_a_passport_its_owner_can_verify(
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
    check_passports(client, world, sorted(serials)[0])


def check_passports(client: TestClient, world: World, serial: str) -> None:
    """The owner's credential verifies against the published keys; others see the public page."""
    as_json = {"Accept": "application/json"}
    passport = client.get(f"/u/{serial}", headers={**as_json, **world.alice.headers})
    assert passport.status_code == 200, passport.text
    keys = client.get("/.well-known/did.json").json()
    verified = check(passport.json(), keys)
    assert verified.serial == serial
    assert verified.product == "Stool"
    assert passport.json()["credentialSubject"]["product"]["producedByParty"]["name"]
    again = client.get(f"/u/{serial}/passport.json", headers=world.alice.headers)
    assert again.json() == passport.json()  # the same facts and key: the same passport
    assert "attachment" in again.headers["content-disposition"]

    refused = client.get(f"/u/{serial}", headers={**as_json, **world.bob.headers})
    assert refused.status_code == 403
    assert "its owner's" in refused.json()["detail"]
    assert client.get(f"/u/{serial}", headers=as_json).status_code == 403
    missing = client.get("/u/0000-AAAA-AAAA-01", headers=as_json)
    assert missing.status_code == 404
    assert "No unit carries the serial" in missing.json()["detail"]

    public = client.get(f"/u/{serial}", headers={"Accept": "text/html"})
    assert public.status_code == 200
    assert serial in public.text
    assert "Alpha Works" in public.text
    assert "Download the signed passport" not in public.text
    owner = client.get(f"/u/{serial}", headers={"Accept": "text/html", **world.alice.headers})
    assert "Download the signed passport" in owner.text


def started_work(
    platform: Platform, world: World, quantity: int, configuration: dict[str, object]
) -> str:
    """A work order of Alice's, for ``quantity`` stools configured so, in Alpha Works' plant."""
    plant = Plant(platform, world)
    with platform.db.write() as session:
        data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=quantity)])
        order = place_order(session, world.alice.actor, data)
        order.lines[0].configuration = configuration
        factory_id = session.scalars(select(Factory.id).where(Factory.code == plant.spec.id)).one()
        return open_work_order(session, order.lines, factory_id, steps=[]).id


def start(platform: Platform, work_id: str) -> dict[str, object]:
    """What the worker's relay hands the handlers when the work order's first step starts."""
    started = {
        "type": OrderEventType.OPERATION_STARTED.value,
        "data": {"work_order": work_id, "started_at": "2026-12-07T10:00:00+00:00"},
    }
    UnitSerials(platform.db)("orders.started", started)
    return started


def test_a_repeated_start_makes_the_units_once(world: World, platform: Platform) -> None:
    work_id = started_work(platform, world, 3, {})
    for _ in range(3):
        start(platform, work_id)
    with platform.db.read() as session:
        numbers = session.scalars(select(Unit.number).where(Unit.work_order_id == work_id))
        assert sorted(numbers) == [1, 2, 3]


def test_the_packing_label_carries_the_units_url_and_serial_for_its_maker(
    client: TestClient, world: World, platform: Platform
) -> None:
    start(platform, started_work(platform, world, 1, {}))
    with platform.db.read() as session:
        serial = session.scalars(select(Unit.serial)).one()
    label = client.get(f"/u/{serial}/label.svg", headers=world.maker_a.headers)
    assert label.status_code == 200
    assert label.headers["content-type"] == "image/svg+xml"
    svg = ElementTree.fromstring(label.text)
    assert svg.get("width") == "100mm"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[:2] == ["Stool", serial]
    qr = segno.make(f"{platform.settings.base_url}/u/{serial}", error="m", boost_error=False)
    drawn = svg.find("{http://www.w3.org/2000/svg}path")
    assert drawn is not None
    assert drawn.get("d") in qr.svg_inline(border=0, scale=1)  # the unit's URL, nothing else
    assert client.get(f"/u/{serial}/label.svg", headers=world.alice.headers).status_code == 200
    refused = client.get(f"/u/{serial}/label.svg", headers=world.bob.headers)
    assert refused.status_code == 403
    assert "micro-enterprise that made the unit" in refused.json()["detail"]
