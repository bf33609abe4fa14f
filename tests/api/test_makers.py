"""Issue 15: a person becomes a maker, registers printers with what routing needs, gets their
logins; another maker never sees them; the platform owner suspends and reinstates."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi.testclient import TestClient

from c2m.bootstrap import Platform
from c2m.domains.factory import credentials
from c2m.domains.factory.models import AttemptStatus, JobAttempt
from c2m.domains.makers.candidates import candidates
from c2m.domains.makers.probation import PROBATION_LIMITS
from c2m.kernel.clock import utcnow
from tests.conftest import LiveServer, Person, World

JOIN = {
    "display_name": "Garage Prints",
    "country": "DE",
    "region": "Bavaria",
    "certificates": ["food-safe"],
}
PRINTER = {
    "code": "prusa-1",
    "name": "Prusa MK4",
    "capabilities": ["fdm-print"],
    "material": "PLA",
    "colour": "black",
    "build_volume": {"x_mm": 250, "y_mm": 210, "z_mm": 220},
    "tolerance_mm": 0.2,
    "hourly_rate": 150,
    "price_per_cm3": 12,
    "calendar": {
        "timezone": "Europe/Berlin",
        "week": {"sat": [{"start": "09:00", "end": "18:00"}]},
    },
}


def join(client: TestClient, person: Person, **changes: Any) -> dict[str, Any]:
    joined = client.post("/api/v1/makers", json=JOIN | changes, headers=person.headers)
    assert joined.status_code == 201, joined.text
    return dict(joined.json())


def add_printer(client: TestClient, person: Person, **changes: Any) -> dict[str, Any]:
    added = client.post(
        "/api/v1/makers/me/machines", json=PRINTER | changes, headers=person.headers
    )
    assert added.status_code == 201, added.text
    return dict(added.json())


def test_a_customer_becomes_a_maker_on_probation(client: TestClient, world: World) -> None:
    headers = world.alice.headers
    assert client.get("/api/v1/makers/me", headers=headers).status_code == 404
    maker = join(client, world.alice)
    assert maker["status"] == "probation"
    assert "0 of your first 3 jobs" in maker["status_in_words"]
    assert maker["country_name"] == "Germany"
    assert maker["workshop_code"].startswith("garage-prints-")
    assert world.alice.user.name not in str(maker)  # the public face is the workshop's name
    me = client.get("/api/v1/me", headers=headers).json()
    assert "maker" in me["roles"]
    assert "enterprise-owner" in me["roles"]  # of their one-person micro-enterprise
    again = client.post("/api/v1/makers", json=JOIN, headers=headers)
    assert again.status_code == 409
    assert "maker already" in again.json()["detail"]


def test_joining_is_idempotent(client: TestClient, world: World) -> None:
    key = {"Idempotency-Key": "join-1"} | world.bob.headers
    first = client.post("/api/v1/makers", json=JOIN, headers=key)
    second = client.post("/api/v1/makers", json=JOIN, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"


def test_a_bad_profile_is_refused_with_the_reason(client: TestClient, world: World) -> None:
    for changes, says in (
        ({"country": "XX"}, "ISO 3166-1"),
        ({"country": "EU"}, "ISO 3166-1"),
        ({"display_name": " "}, "display_name"),
        ({"certificates": [""]}, "certificates"),
        ({"nickname": "x"}, "not a field we know"),
    ):
        refused = client.post("/api/v1/makers", json=JOIN | changes, headers=world.alice.headers)
        assert refused.status_code == 422, changes
        assert refused.headers["content-type"] == "application/problem+json"
        assert says in refused.json()["detail"], refused.json()["detail"]
    join(client, world.alice)
    changed = client.patch(
        "/api/v1/makers/me",
        json={"display_name": "Attic Works", "certificates": ["ISO 9001"]},
        headers=world.alice.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["display_name"] == "Attic Works"
    assert changed.json()["region"] == "Bavaria"  # not sent, kept
    enterprises = client.get("/api/v1/me", headers=world.alice.headers).json()["memberships"]
    assert [m["enterprise_name"] for m in enterprises] == ["Attic Works"]
    bad = client.patch("/api/v1/makers/me", json={"country": "de"}, headers=world.alice.headers)
    assert bad.status_code == 422


def test_a_maker_registers_a_printer_and_gets_its_login(
    client: TestClient, platform: Platform, world: World
) -> None:
    maker = join(client, world.alice)
    printer = add_printer(client, world.alice)
    assert printer["username"] == f"{maker['workshop_code']}/prusa-1"
    assert printer["state"] == "offline"
    assert printer["price_per_hour"] == "€1.50"
    assert printer["price_per_cm3_text"] == "€0.12"
    assert printer["build_volume"] == {"x_mm": 250, "y_mm": 210, "z_mm": 220}
    listed = client.get("/api/v1/makers/me/machines", headers=world.alice.headers).json()
    assert [m["code"] for m in listed] == ["prusa-1"]
    duplicate = client.post("/api/v1/makers/me/machines", json=PRINTER, headers=world.alice.headers)
    assert duplicate.status_code == 409
    path = f"/api/v1/makers/me/machines/{printer['id']}"
    secret = client.post(path + "/secret", headers=world.alice.headers)
    assert secret.status_code == 200
    assert secret.headers["cache-control"] == "no-store"
    login = secret.json()
    with platform.db.read() as session:
        machine = credentials.authenticate(session, login["username"], login["secret"])
        assert machine.id == printer["id"]  # the agent's login works unchanged
    reloaded = client.patch(
        path,
        json={"material": "PETG", "colour": "orange", "hourly_rate": 200, "calendar": None},
        headers=world.alice.headers,
    )
    assert reloaded.status_code == 200, reloaded.text
    assert (reloaded.json()["material"], reloaded.json()["colour"]) == ("PETG", "orange")
    assert reloaded.json()["calendar"] is None
    assert reloaded.json()["price_per_cm3"] == 12  # not sent, kept


def test_bad_machines_are_refused_with_the_reason(client: TestClient, world: World) -> None:
    join(client, world.alice)
    for changes, says in (
        ({"capabilities": ["teleport"]}, "unknown capabilities"),
        ({"build_volume": {"x_mm": 0, "y_mm": 1, "z_mm": 1}}, "x_mm"),
        ({"tolerance_mm": True}, "tolerance_mm"),
        ({"price_per_cm3": -1}, "price_per_cm3"),
        ({"code": "a/b"}, "code"),
    ):
        refused = client.post(
            "/api/v1/makers/me/machines", json=PRINTER | changes, headers=world.alice.headers
        )
        assert refused.status_code == 422, changes
        assert says in refused.json()["detail"], refused.json()["detail"]


def test_a_maker_never_reaches_another_makers_machines(client: TestClient, world: World) -> None:
    join(client, world.alice)
    printer = add_printer(client, world.alice)
    join(client, world.bob, display_name="Bob's Bench")
    assert client.get("/api/v1/makers/me/machines", headers=world.bob.headers).json() == []
    path = f"/api/v1/makers/me/machines/{printer['id']}"
    for answer in (
        client.patch(path, json={"material": "ABS"}, headers=world.bob.headers),
        client.post(path + "/secret", headers=world.bob.headers),
    ):
        assert answer.status_code == 404
        assert "no such machine" in answer.json()["detail"]
    not_a_maker = client.get("/api/v1/makers/me/machines", headers=world.maker_b.headers)
    assert not_a_maker.status_code == 404
    assert "not a maker yet" in not_a_maker.json()["detail"]
    assert client.post("/api/v1/makers/me/machines", json=PRINTER).status_code == 401


def test_the_platform_owner_suspends_and_reinstates(
    client: TestClient, platform: Platform, world: World
) -> None:
    maker = join(client, world.alice)
    suspend = f"/api/v1/makers/{maker['id']}/suspend"
    reason = {"reason": "Three parts arrived broken this week."}
    refused = client.post(suspend, json=reason, headers=world.alice.headers)
    assert refused.status_code == 403
    assert "platform owner" in refused.json()["detail"]
    assert client.get("/api/v1/makers", headers=world.alice.headers).status_code == 403
    suspended = client.post(suspend, json=reason, headers=world.owner.headers)
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    mine = client.get("/api/v1/makers/me", headers=world.alice.headers).json()
    assert mine["status_reason"] == reason["reason"]
    assert "Suspended" in mine["status_in_words"]
    assert client.post(suspend, json=reason, headers=world.owner.headers).status_code == 409
    too_short = client.post(
        f"/api/v1/makers/{maker['id']}/reinstate", json={"reason": ""}, headers=world.owner.headers
    )
    assert too_short.status_code == 422
    back = client.post(
        f"/api/v1/makers/{maker['id']}/reinstate",
        json={"reason": "Packaging fixed."},
        headers=world.owner.headers,
    )
    assert back.json()["status"] == "probation"
    listed = client.get("/api/v1/makers", headers=world.owner.headers).json()
    assert [m["display_name"] for m in listed] == ["Garage Prints"]
    unknown = client.post("/api/v1/makers/nope/suspend", json=reason, headers=world.owner.headers)
    assert unknown.status_code == 404


def test_routing_reads_probation_and_suspension_as_data(
    client: TestClient, platform: Platform, world: World
) -> None:
    maker = join(client, world.alice)
    printer = add_printer(client, world.alice)
    with platform.db.read() as session:
        (snapshot,) = candidates(session)
    assert snapshot.on_probation
    assert snapshot.limits == PROBATION_LIMITS
    assert not snapshot.limits.admits((200, 10, 10), 1)
    assert (snapshot.country, snapshot.region, snapshot.certificates) == (
        "DE",
        "Bavaria",
        ("food-safe",),
    )
    (machine,) = snapshot.machines
    assert machine.build_volume_mm == (250, 210, 220)
    assert (machine.material, machine.colour, machine.price_per_cm3) == ("PLA", "black", 12)
    assert machine.calendar is not None
    with platform.db.write() as session:
        for n in range(3):
            session.add(
                JobAttempt(
                    attempt_id=f"a{n}",
                    machine_id=printer["id"],
                    operation_id=f"op{n}",
                    status=AttemptStatus.DONE,
                    commanded_at=utcnow(),
                )
            )
    with platform.db.read() as session:
        (snapshot,) = candidates(session)
    assert snapshot.status == "active"
    assert snapshot.limits.admits((400, 400, 400), 40)
    client.post(
        f"/api/v1/makers/{maker['id']}/suspend",
        json={"reason": "Holiday fraud check."},
        headers=world.owner.headers,
    )
    with platform.db.read() as session:
        (snapshot,) = candidates(session)
    assert snapshot.suspended


def test_two_joins_at_once_open_one_workshop(live_server: LiveServer, world: World) -> None:
    start = threading.Barrier(2)

    def join_as(name: str) -> int:
        with httpx.Client(base_url=live_server.url, timeout=30) as http:
            start.wait()
            body = JOIN | {"display_name": name}
            return http.post("/api/v1/makers", json=body, headers=world.alice.headers).status_code

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(join_as, ["First Bench", "Second Bench"]))
    assert answers == [201, 409]
