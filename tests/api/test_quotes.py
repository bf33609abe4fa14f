"""Get a Quote through the API: upload, price, order, ask a person; who may see what."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.models import Machine
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.quoting.models import Upload
from tests.api.quoting_support import box_stl, open_shop
from tests.conftest import World
from tests.factory_support import load_machines


@pytest.fixture
def shop(platform: Platform, world: World) -> World:
    open_shop(platform, world.enterprise_a)
    return world


def upload(client: TestClient, world: World, files: dict[str, bytes], who: str = "alice") -> list:
    person = getattr(world, who)
    response = client.post(
        "/api/v1/uploads",
        params={"enterprise_id": world.enterprise_a.id},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files.items()],
        headers=person.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def quote(client: TestClient, world: World, upload_id: str, **extra: object) -> dict:
    body = {"upload_id": upload_id, "process": "fdm", "material": "PLA", "quantity": 10, **extra}
    response = client.post("/api/v1/quotes", json=body, headers=world.alice.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_two_parts_are_analysed_priced_and_ordered(
    client: TestClient, shop: World, platform: Platform
) -> None:
    parts = upload(client, shop, {"cube.stl": box_stl((20, 20, 20)), "bar": box_stl((80, 10, 5))})
    assert [p["status"] for p in parts] == ["analysed", "analysed"]
    assert parts[0]["analysis"]["size"] == pytest.approx([20, 20, 20], rel=1e-6)
    assert parts[1]["analysis"]["volume"] == pytest.approx(80 * 10 * 5, rel=1e-6)
    picture = client.get(parts[0]["thumbnail_url"], headers=shop.alice.headers)
    assert picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")

    quotes = [quote(client, shop, part["id"]) for part in parts]
    first = quotes[0]
    assert not first["manual_review"]
    assert abs(first["total"] - first["unit_price"] * 10) <= 5  # rounding to cents
    assert [t["tier"] for t in first["tiers"]] == ["economy", "standard", "express"]
    prices = {t["tier"]: t["unit_price"] for t in first["tiers"]}
    assert prices["economy"] < prices["standard"] < prices["express"]
    unit_prices = [b["unit_price"] for b in first["breaks"]]
    assert unit_prices == sorted(unit_prices, reverse=True)

    ordered = client.post(
        "/api/v1/quote-orders",
        json={"quote_ids": [q["id"] for q in quotes], "tier": "express"},
        headers=shop.alice.headers,
    )
    assert ordered.status_code == 201, ordered.text
    order = ordered.json()
    assert order["total"] == sum(
        next(t for t in q["tiers"] if t["tier"] == "express")["total"] for q in quotes
    )
    line = order["lines"][0]
    assert line["configuration"]["upload_id"] == parts[0]["id"]
    assert line["configuration"]["file"] == "cube.stl"
    again = client.post(
        "/api/v1/quote-orders",
        json={"quote_ids": [quotes[0]["id"]]},
        headers=shop.alice.headers,
    )
    assert again.status_code == 409
    with platform.db.read() as session:
        stored = session.get(Upload, parts[0]["id"])
        assert stored is not None
        assert platform.uploads.part(stored.id).read_bytes() == box_stl((20, 20, 20))


def test_the_order_line_carries_the_routing_of_the_process(client: TestClient, shop: World) -> None:
    (part,) = upload(client, shop, {"block.stl": box_stl((40, 30, 20))})
    milled = quote(client, shop, part["id"], process="cnc", material="Aluminium 6061", quantity=2)
    order = client.post(
        "/api/v1/quote-orders", json={"quote_ids": [milled["id"]]}, headers=shop.alice.headers
    ).json()
    routing = client.get(f"/api/v1/orders/{order['id']}", headers=shop.alice.headers).json()
    assert order["lines"][0]["quantity"] == 2
    assert routing["state"] == "placed"


def test_only_the_owner_and_the_quoting_enterprise_see_uploads_and_quotes(
    client: TestClient, shop: World
) -> None:
    (part,) = upload(client, shop, {"cube.stl": box_stl((10, 10, 10))})
    priced = quote(client, shop, part["id"])
    paths = [
        f"/api/v1/uploads/{part['id']}",
        f"/api/v1/uploads/{part['id']}/file",
        f"/api/v1/uploads/{part['id']}/thumbnail",
        f"/api/v1/quotes/{priced['id']}",
    ]
    for path in paths:
        for person in (shop.alice, shop.maker_a, shop.owner):
            assert client.get(path, headers=person.headers).status_code == 200, path
        for stranger in (shop.bob, shop.maker_b):
            response = client.get(path, headers=stranger.headers)
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/problem+json"
        assert client.get(path).status_code == 401
    download = client.get(paths[1], headers=shop.maker_a.headers)
    assert download.content == box_stl((10, 10, 10))
    assert download.headers["content-type"] == "application/octet-stream"
    assert 'filename="cube.stl"' in download.headers["content-disposition"]
    stolen = client.post(
        "/api/v1/quote-orders", json={"quote_ids": [priced["id"]]}, headers=shop.bob.headers
    )
    assert stolen.status_code == 404
    borrowed = client.post(
        "/api/v1/quotes",
        json={"upload_id": part["id"], "process": "fdm", "material": "PLA", "quantity": 1},
        headers=shop.bob.headers,
    )
    assert borrowed.status_code == 404


def test_an_open_surface_is_not_priced_and_goes_to_review(client: TestClient, shop: World) -> None:
    open_box = box_stl((20, 20, 20))
    open_box = open_box[:80] + (11).to_bytes(4, "little") + open_box[84 : 84 + 11 * 50]
    (part,) = upload(client, shop, {"open.stl": open_box})
    assert part["status"] == "analysed"
    assert part["analysis"]["volume"] is None
    priced = quote(client, shop, part["id"])
    assert priced["manual_review"] is True
    assert priced["unit_price"] is None
    assert any(f["rule"] == "not_solid" and f["severity"] == "blocking" for f in priced["findings"])
    refused = client.post(
        "/api/v1/quote-orders", json={"quote_ids": [priced["id"]]}, headers=shop.alice.headers
    )
    assert refused.status_code == 422
    assert "manual review" in refused.json()["detail"]


def test_rfq_goes_to_the_enterprise_inbox_and_is_answered(client: TestClient, shop: World) -> None:
    (part,) = upload(client, shop, {"bracket.stl": box_stl((30, 30, 3))})
    sent = client.post(
        "/api/v1/rfqs",
        json={
            "enterprise_id": shop.enterprise_a.id,
            "upload_ids": [part["id"]],
            "message": "Can you anodise these black? 200 pieces.",
        },
        headers=shop.alice.headers,
    )
    assert sent.status_code == 201, sent.text
    rfq = sent.json()
    inbox = f"/api/v1/enterprises/{shop.enterprise_a.id}/rfqs"
    assert [r["id"] for r in client.get(inbox, headers=shop.maker_a.headers).json()] == [rfq["id"]]
    assert client.get(inbox, headers=shop.maker_b.headers).status_code == 404
    assert client.get(inbox, headers=shop.alice.headers).status_code == 404
    answer = {"message": "Yes: 4.20 EUR each, ships in 3 weeks.", "price": 84000}
    by_stranger = client.post(
        f"/api/v1/rfqs/{rfq['id']}/answer", json=answer, headers=shop.maker_b.headers
    )
    assert by_stranger.status_code == 404
    answered = client.post(
        f"/api/v1/rfqs/{rfq['id']}/answer", json=answer, headers=shop.maker_a.headers
    )
    assert answered.status_code == 200
    mine = client.get("/api/v1/rfqs", headers=shop.alice.headers).json()
    assert mine[0]["status"] == "answered"
    assert mine[0]["answer_price"] == 84000
    twice = client.post(
        f"/api/v1/rfqs/{rfq['id']}/answer", json=answer, headers=shop.maker_a.headers
    )
    assert twice.status_code == 409


def test_an_enterprise_that_does_not_quote_refuses_uploads(client: TestClient, shop: World) -> None:
    response = client.post(
        "/api/v1/uploads",
        params={"enterprise_id": shop.enterprise_b.id},
        files=[("files", ("cube.stl", box_stl((10, 10, 10)), "model/stl"))],
        headers=shop.alice.headers,
    )
    assert response.status_code == 404
    assert "does not quote" in response.json()["detail"]


def test_owners_edit_the_cost_tables_and_new_quotes_use_them(
    client: TestClient, shop: World
) -> None:
    (part,) = upload(client, shop, {"cube.stl": box_stl((20, 20, 20))})
    before = quote(client, shop, part["id"])
    path = f"/api/v1/enterprises/{shop.enterprise_a.id}/quoting-tables"
    tables = client.get(path, headers=shop.maker_a.headers).json()
    tables["margin"] = tables["margin"] * 4
    assert client.put(path, json=tables, headers=shop.alice.headers).status_code == 404
    assert client.put(path, json=tables, headers=shop.maker_a.headers).status_code == 200
    after = quote(client, shop, part["id"])
    assert after["unit_price"] > before["unit_price"]
    tables["processes"]["fdm"]["deposition_rate"] = 0
    broken = client.put(path, json=tables, headers=shop.maker_a.headers)
    assert broken.status_code == 422
    assert "deposition_rate" in broken.json()["detail"]


def test_ship_dates_follow_the_load_of_the_capable_machines(
    client: TestClient, shop: World, platform: Platform
) -> None:
    (part,) = upload(client, shop, {"cube.stl": box_stl((40, 40, 40))})
    idle = {t["tier"]: t["ship_date"] for t in quote(client, shop, part["id"])["tiers"]}
    load_machines(platform, shop, client, "fdm-print", days=10)
    loaded = {t["tier"]: t["ship_date"] for t in quote(client, shop, part["id"])["tiers"]}
    assert loaded["standard"] > idle["standard"]
    assert loaded["economy"] > idle["economy"]
    assert loaded["express"] < loaded["standard"]
    days_later = date.fromisoformat(loaded["standard"]) - date.fromisoformat(idle["standard"])
    assert days_later >= timedelta(days=9)


def test_the_customer_confirms_the_unit_and_the_part_is_measured_again(
    client: TestClient, shop: World
) -> None:
    (part,) = upload(client, shop, {"tiny.stl": box_stl((0.05, 0.03, 0.02))})
    assert part["analysis"]["unit"] == "m"
    assert part["analysis"]["size"] == pytest.approx([50, 30, 20], rel=1e-5)
    path = f"/api/v1/uploads/{part['id']}/unit"
    assert client.post(path, json={"unit": "in"}, headers=shop.maker_a.headers).status_code == 403
    again = client.post(path, json={"unit": "in"}, headers=shop.alice.headers)
    assert again.status_code == 200, again.text
    assert again.json()["analysis"]["unit"] == "in"
    assert again.json()["analysis"]["size"] == pytest.approx([1.27, 0.762, 0.508], rel=1e-5)
    assert client.post(path, json={"unit": "ft"}, headers=shop.alice.headers).status_code == 422


def test_printers_not_connected_promise_no_date_and_the_order_says_why(
    client: TestClient, shop: World, platform: Platform
) -> None:
    (part,) = upload(client, shop, {"cube.stl": box_stl((40, 40, 40))})
    with platform.db.write() as session:
        for machine in session.scalars(select(Machine)):
            if "fdm-print" in machine.capabilities:
                machine.state = MachineState.OFFLINE  # registered, never heard from
    priced = quote(client, shop, part["id"])
    assert priced["total"] is not None  # still priced
    assert priced["tiers"] == []  # but no date is promised
    ordered = client.post(
        "/api/v1/quote-orders", json={"quote_ids": [priced["id"]]}, headers=shop.alice.headers
    )
    assert ordered.status_code == 422, ordered.text
    assert "no machine that can make it is connected" in ordered.json()["detail"]


def ready_at(priced: dict) -> dict[str, datetime]:
    return {t["tier"]: datetime.fromisoformat(t["ready_at"]) for t in priced["tiers"]}


def test_a_printer_on_a_day_shift_ships_later_than_one_working_around_the_clock(
    client: TestClient, shop: World, platform: Platform
) -> None:
    (part,) = upload(client, shop, {"cube.stl": box_stl((60, 60, 60))}, who="alice")
    always = {
        t["tier"]: t["ready_at"] for t in quote(client, shop, part["id"], quantity=40)["tiers"]
    }
    shift = {"start": "09:00", "end": "10:00"}  # one hour a day
    week = {day: [shift] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    with platform.db.write() as session:
        for machine in session.scalars(select(Machine)):
            machine.calendar = {"timezone": "UTC", "week": week}
    shifts = {
        t["tier"]: t["ready_at"] for t in quote(client, shop, part["id"], quantity=40)["tiers"]
    }
    assert shifts["standard"] > always["standard"]
