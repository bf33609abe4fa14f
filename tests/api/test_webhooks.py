"""The webhook API: owners subscribe their micro-enterprise and see the secret once; every other
tenant is told nothing exists; URLs and event types are checked with sentences a person can act
on; the catalogue is in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from c2m.bootstrap import Platform
from c2m.domains.orders.schemas import NewLine, NewOrder
from tests.api.test_bad_input import assert_problem
from tests.conftest import Person, World, place_order

HOOK = {"url": "https://erp.example.com/c2m", "events": ["order.paid", "order.delivered"]}


def subscribe(client: TestClient, person: Person, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/webhooks", json={**HOOK, **body}, headers=person.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_an_owner_subscribes_and_sees_the_secret_once(client: TestClient, world: World) -> None:
    created = subscribe(client, world.maker_a)
    assert created["enterprise_id"] == world.enterprise_a.id
    assert created["secret"].startswith("whsec_")
    Webhook(created["secret"])  # a secret any Standard Webhooks library takes
    listed = client.get("/api/v1/webhooks", headers=world.maker_a.headers).json()
    assert [hook["id"] for hook in listed] == [created["id"]]
    one = client.get(f"/api/v1/webhooks/{created['id']}", headers=world.maker_a.headers).json()
    assert "secret" not in one
    assert one["events"] == ["order.delivered", "order.paid"]

    rotated = client.post(
        f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=world.maker_a.headers
    ).json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != created["secret"]


def test_another_tenant_is_told_nothing_exists(client: TestClient, world: World) -> None:
    hook = subscribe(client, world.maker_a)["id"]
    for person in (world.maker_b, world.alice):
        for method, path in [
            ("GET", f"/api/v1/webhooks/{hook}"),
            ("DELETE", f"/api/v1/webhooks/{hook}"),
            ("POST", f"/api/v1/webhooks/{hook}/rotate-secret"),
            ("POST", f"/api/v1/webhooks/{hook}/enable"),
            ("GET", f"/api/v1/webhooks/{hook}/deliveries"),
            ("POST", f"/api/v1/webhooks/{hook}/deliveries/msg_x/replay"),
        ]:
            response = client.request(method, path, headers=person.headers)
            assert_problem(response, 404, "no such webhook")
        assert client.get("/api/v1/webhooks", headers=person.headers).json() == []
    someone_elses = client.post(
        "/api/v1/webhooks",
        json={**HOOK, "enterprise_id": world.enterprise_a.id},
        headers=world.maker_b.headers,
    )
    assert_problem(someone_elses, 404, "micro-enterprise")
    none_owned = client.post("/api/v1/webhooks", json=HOOK, headers=world.alice.headers)
    assert_problem(none_owned, 403, "Only an owner")
    assert client.get(f"/api/v1/webhooks/{hook}", headers=world.maker_a.headers).status_code == 200


@pytest.mark.parametrize(
    ("url", "mention"),
    [
        ("http://erp.example.com/hook", "https"),
        ("ftp://erp.example.com/hook", "https"),
        ("https://10.0.0.8/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://127.0.0.1:9000/hook", "this machine"),
        ("https://user:pw@erp.example.com/hook", "password"),
        ("https://erp.example.com:99999/hook", "not a valid URL"),
        ("not a url", "https"),
    ],
)
def test_receiver_urls_are_checked(
    client: TestClient, world: World, url: str, mention: str
) -> None:
    response = client.post(
        "/api/v1/webhooks", json={**HOOK, "url": url}, headers=world.maker_a.headers
    )
    assert_problem(response, 422, mention)


def test_unknown_event_types_and_empty_lists_are_refused(client: TestClient, world: World) -> None:
    unknown = client.post(
        "/api/v1/webhooks",
        json={**HOOK, "events": ["order.teleported"]},
        headers=world.maker_a.headers,
    )
    assert_problem(unknown, 422, "order.teleported")
    empty = client.post(
        "/api/v1/webhooks", json={**HOOK, "events": []}, headers=world.maker_a.headers
    )
    assert_problem(empty, 422, "events")


def test_deliveries_are_listed_and_a_deleted_webhook_is_gone(
    client: TestClient, platform: Platform, world: World
) -> None:
    hook = subscribe(client, world.maker_a, events=["order.placed"])["id"]
    with platform.db.write() as session:
        order = place_order(
            session,
            world.alice.actor,
            NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=1)]),
        )
    while platform.relay.relay_once():
        pass
    listed = client.get(f"/api/v1/webhooks/{hook}/deliveries", headers=world.maker_a.headers)
    (delivery,) = listed.json()
    assert delivery["event_type"] == "order.placed"
    assert delivery["status"] == "pending"
    detail = client.get(
        f"/api/v1/webhooks/{hook}/deliveries/{delivery['id']}", headers=world.maker_a.headers
    ).json()
    assert detail["payload"]["data"]["order_id"] == order.id
    assert detail["log"] == []

    deleted = client.delete(f"/api/v1/webhooks/{hook}", headers=world.maker_a.headers)
    assert deleted.status_code == 204
    gone = client.get(f"/api/v1/webhooks/{hook}", headers=world.maker_a.headers)
    assert_problem(gone, 404)


def test_the_openapi_document_lists_the_event_catalogue(client: TestClient, world: World) -> None:
    document = client.get("/openapi.json").json()
    paid = document["webhooks"]["order.paid"]["post"]
    assert paid["summary"] == "The payment was captured: production may start."
    headers = {p["name"] for p in paid["parameters"]}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    catalogue = client.get("/api/v1/webhook-event-types", headers=world.alice.headers).json()
    assert set(catalogue) == set(document["webhooks"])
