"""Owners register factories and machines; members read them; strangers learn nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import World


def test_owners_register_a_factory_and_a_home_printer(client: TestClient, world: World) -> None:
    path = f"/api/v1/enterprises/{world.enterprise_a.id}/factories"
    factory = client.post(
        path, json={"code": "home", "name": "Garage"}, headers=world.maker_a.headers
    )
    assert factory.status_code == 201, factory.text
    machines = f"/api/v1/factories/{factory.json()['id']}/machines"
    printer = {
        "code": "prusa-1",
        "capabilities": ["fdm-print"],
        "calendar": {
            "timezone": "Europe/Berlin",
            "week": {"sat": [{"start": "09:00", "end": "18:00"}]},
        },
    }
    added = client.post(machines, json=printer, headers=world.maker_a.headers)
    assert added.status_code == 201, added.text
    assert added.json()["state"] == "offline"  # until its birth message arrives
    listed = client.get(machines, headers=world.maker_a.headers).json()
    assert [m["code"] for m in listed] == ["prusa-1"]
    again = client.post(machines, json=printer, headers=world.maker_a.headers)
    assert again.status_code == 409
    assert "prusa-1" in again.json()["detail"]
    for stranger in (world.bob, world.maker_b):
        assert client.get(machines, headers=stranger.headers).status_code == 404
        assert client.post(machines, json=printer, headers=stranger.headers).status_code == 404
        assert client.get(path, headers=stranger.headers).status_code == 404


def test_bad_machines_are_refused_with_the_reason(client: TestClient, world: World) -> None:
    path = f"/api/v1/enterprises/{world.enterprise_a.id}/factories"
    factory = client.post(
        path, json={"code": "north", "name": "North"}, headers=world.maker_a.headers
    )
    machines = f"/api/v1/factories/{factory.json()['id']}/machines"
    for body, says in (
        ({"code": "a/b", "capabilities": ["fdm-print"]}, "code"),
        ({"code": "m1", "capabilities": ["teleport"]}, "unknown capabilities"),
        ({"code": "m1", "capabilities": ["sew"], "speed": True}, "speed"),
        (
            {
                "code": "m1",
                "capabilities": ["sew"],
                "calendar": {"week": {"mon": [{"start": "18:00", "end": "08:00"}]}},
            },
            "ends after it starts",
        ),
    ):
        refused = client.post(machines, json=body, headers=world.maker_a.headers)
        assert refused.status_code == 422, body
        assert says in refused.json()["detail"], refused.json()["detail"]
    bad_code = client.post(path, json={"code": "#", "name": "x"}, headers=world.maker_a.headers)
    assert bad_code.status_code == 422
