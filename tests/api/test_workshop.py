"""The workshop page: members of a micro-enterprise move its orders along; nobody else can."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient

from c2m.domains.orders.states import OrderState, next_moves
from tests.api.test_access_control import log_in, paid_order_of
from tests.conftest import World


def test_a_member_moves_an_order_along_from_the_workshop(client: TestClient, world: World) -> None:
    order_id = paid_order_of(client, world)
    csrf = log_in(client, world.maker_a.user.email)
    page = client.get("/workshop")
    assert page.status_code == 200
    assert order_id[:8] in page.text
    version = int(re.findall(r'name="expected_version" value="(\d+)"', page.text)[0])
    moved = client.post(
        f"/workshop/orders/{order_id}/advance",
        data={"csrf_token": csrf, "to": "designing", "expected_version": str(version)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    order = client.get(f"/api/v1/orders/{order_id}", headers=world.alice.headers).json()
    assert order["state"] == "designing"
    stale = client.post(
        f"/workshop/orders/{order_id}/advance",
        data={"csrf_token": csrf, "to": "planned", "expected_version": str(version)},
        headers={"Accept": "text/html"},
    )
    assert stale.status_code == 409
    assert "changed since you last looked" in stale.text


def test_a_member_opens_an_order_sees_its_customer_and_moves_it_from_there(
    client: TestClient, world: World
) -> None:
    order_id = paid_order_of(client, world)
    log_in(client, world.alice.user.email)
    assert "For the workshop" not in client.get(f"/orders/{order_id}").text  # the customer's view
    client.cookies.clear()
    csrf = log_in(client, world.maker_a.user.email)
    assert f'href="/orders/{order_id}"' in client.get("/workshop").text  # the card opens
    page = client.get(f"/orders/{order_id}").text
    assert "For the workshop" in page
    assert world.alice.user.name in page
    assert world.alice.user.email in page
    version = re.findall(r'name="expected_version" value="(\d+)"', page)[-1]
    back = f"/orders/{order_id}"
    moved = client.post(
        f"/workshop/orders/{order_id}/advance",
        data={"csrf_token": csrf, "to": "designing", "expected_version": version, "back": back},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == back
    elsewhere = client.post(
        f"/workshop/orders/{order_id}/advance",
        data={
            "csrf_token": csrf,
            "to": "planned",
            "expected_version": str(int(version) + 1),
            "back": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == "/workshop"  # never sent off the site


def test_a_stranger_sees_no_orders_and_cannot_move_them(client: TestClient, world: World) -> None:
    order_id = paid_order_of(client, world)
    csrf = log_in(client, world.maker_b.user.email)
    assert order_id[:8] not in client.get("/workshop").text
    refused = client.post(
        f"/workshop/orders/{order_id}/advance",
        data={"csrf_token": csrf, "to": "designing", "expected_version": "2"},
    )
    assert refused.status_code == 404


def test_next_moves_offer_hold_in_production_and_resume_from_hold() -> None:
    assert next_moves(OrderState.PAID, None) == [
        OrderState.DESIGNING,
        OrderState.PLANNED,
        OrderState.ON_HOLD,
    ]
    assert next_moves(OrderState.ON_HOLD, OrderState.PLANNED) == [OrderState.PLANNED]
    assert next_moves(OrderState.DELIVERED, None) == []


def test_a_member_writes_a_template_in_the_back_office_form(
    client: TestClient, world: World
) -> None:
    csrf = log_in(client, world.maker_a.user.email)
    form = client.get(f"/workshop/enterprises/{world.enterprise_a.id}/templates/new")
    assert form.status_code == 200
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", form.text, re.S)
    assert textarea is not None
    starter = json.loads(html.unescape(textarea.group(1)))
    action = f"/workshop/enterprises/{world.enterprise_a.id}/templates"
    broken = {**starter, "rules": [{"id": "bad", "condition": "width >= depth", "message": "x"}]}
    refused = client.post(
        action, data={"csrf_token": csrf, "definition": json.dumps(broken), "published": "true"}
    )
    assert refused.status_code == 422
    assert "bad" in refused.text
    assert "depth" in refused.text
    not_json = client.post(action, data={"csrf_token": csrf, "definition": "{"})
    assert not_json.status_code == 422
    assert "not valid JSON" in not_json.text
    created = client.post(
        action,
        data={"csrf_token": csrf, "definition": json.dumps(starter), "published": "true"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    edit_url = created.headers["location"].split("?")[0]
    edited = client.post(
        edit_url,
        data={"csrf_token": csrf, "definition": json.dumps({**starter, "name": "Door sign"})},
    )
    assert edited.status_code == 200
    assert "Saved as version 2" in edited.text
    template_id = edit_url.rsplit("/", 1)[1]
    versions = client.get(
        f"/api/v1/templates/{template_id}/versions", headers=world.maker_a.headers
    )
    assert [v["version"] for v in versions.json()] == [1, 2]
    client.cookies.clear()
    log_in(client, world.maker_b.user.email)
    assert client.get(edit_url).status_code == 404
