"""Errors a program can branch on: a stable ``code`` and ``type`` per problem, documented on the
server and in docs/api.md; operations named for client generators; paths in one style, the old
ones redirecting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from c2m.kernel.problem_types import CATALOGUE, ProblemCode
from c2m.web.moved_paths import MOVED
from tests.api.test_bad_input import assert_problem
from tests.api.test_payments import pay
from tests.conftest import World, place

DOCS = Path(__file__).parents[2] / "docs" / "api.md"


def assert_code(response: httpx.Response, code: ProblemCode) -> dict[str, Any]:
    kind = CATALOGUE[code]
    body = assert_problem(response, kind.status)
    assert (body["code"], body["type"], body["title"]) == (code, f"/problems/{code}", kind.title)
    return body


def test_each_failure_carries_its_code(client: TestClient, world: World) -> None:
    orders = "/api/v1/orders"
    headers = world.alice.headers
    bad_json = client.post(orders, content=b"{", headers={**headers, "Content-Type": "x/y"})
    assert_code(bad_json, ProblemCode.UNSUPPORTED_MEDIA_TYPE)
    malformed = {**headers, "Content-Type": "application/json"}
    assert_code(client.post(orders, content=b"{", headers=malformed), ProblemCode.MALFORMED_JSON)
    assert_code(client.post(orders, json={"lines": []}, headers=headers), ProblemCode.INVALID_INPUT)
    assert_code(client.get(orders), ProblemCode.NOT_AUTHENTICATED)
    assert_code(client.get("/api/v1/nothing-here", headers=headers), ProblemCode.NOT_FOUND)
    assert_code(client.delete(orders, headers=headers), ProblemCode.METHOD_NOT_ALLOWED)

    order = place(client, world.alice, world.product_a).json()
    stale = client.post(
        f"{orders}/{order['id']}/pay",
        json={"payment_method": "test-ok", "expected_version": order["version"] + 5},
        headers=headers,
    )
    assert_code(stale, ProblemCode.ORDER_CHANGED)
    assert pay(client, world, order["id"], "test-delayed").status_code == 200
    assert_code(pay(client, world, order["id"], "test-ok"), ProblemCode.PAYMENT_PENDING)
    assert_code(
        client.post(f"{orders}/{order['id']}/reorder", headers=headers),
        ProblemCode.STATE_DOES_NOT_ALLOW,
    )

    keyed = {**headers, "Idempotency-Key": "same-key"}
    assert place(client, world.alice, world.product_a, **keyed).status_code == 201
    assert_code(
        place(client, world.alice, world.product_a, quantity=2, **keyed),
        ProblemCode.IDEMPOTENCY_KEY_REUSED,
    )

    factories = f"/api/v1/enterprises/{world.enterprise_a.id}/factories"
    body = {"code": "east", "name": "East hall"}
    assert client.post(factories, json=body, headers=world.maker_a.headers).status_code == 201
    again = client.post(factories, json=body, headers=world.maker_a.headers)
    assert_code(again, ProblemCode.ALREADY_EXISTS)


def test_every_type_is_a_page_that_says_what_to_do(client: TestClient) -> None:
    catalogue = client.get("/problems", headers={"Accept": "text/html"})
    assert catalogue.status_code == 200
    for kind in CATALOGUE.values():
        assert f'href="{kind.uri}"' in catalogue.text
        page = client.get(kind.uri, headers={"Accept": "text/html"})
        assert page.status_code == 200, kind.code
        assert kind.title in page.text
        assert "What to do" in page.text
    unknown = client.get("/problems/no-such-thing", headers={"Accept": "application/json"})
    assert_code(unknown, ProblemCode.NOT_FOUND)


def test_docs_list_the_same_catalogue() -> None:
    documented = set(re.findall(r"^\| `([a-z-]+)` \| (\d{3}) \|", DOCS.read_text(), re.M))
    assert documented == {(kind.code.value, str(kind.status)) for kind in CATALOGUE.values()}


def test_operations_are_named_and_paths_share_one_style(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    verbs = {
        *("get", "list", "create", "add", "put", "set", "place", "pay", "cancel", "refund"),
        *("reorder", "advance", "share", "revoke", "upload", "download", "confirm", "answer"),
        *("apply", "decide", "invite", "accept", "remove", "rate", "join", "leave", "comment"),
        *("vote", "withdraw", "follow", "unfollow", "hide", "lock", "run", "open", "order"),
        *("save", "receive", "configure", "issue", "update", "suspend", "reinstate"),
        *("delete", "rotate", "enable", "replay", "decline", "counter", "preview"),
    }
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", operation_id), operation_id
        assert operation_id.split("_")[0] in verbs, operation_id
    segment = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*|\{[a-z_]+\}")
    for path in document["paths"]:
        for part in path.strip("/").split("/"):
            assert segment.fullmatch(part), f"{part!r} in {path}"
    schemas = document["components"]["schemas"]
    enum = schemas["Problem"]["properties"]["code"]["$ref"].removeprefix("#/components/schemas/")
    assert set(schemas[enum]["enum"]) == {code.value for code in ProblemCode}


@pytest.mark.parametrize(("old", "new", "methods"), MOVED)
def test_old_paths_redirect_for_one_release(
    client: TestClient, world: World, old: str, new: str, methods: list[str]
) -> None:
    values = {"token": "t0k", "proposal_id": "p1", "enterprise_id": world.enterprise_a.id}
    address = old.format(**values) + "?since=0"
    for method in methods:
        moved = client.request(method, address, follow_redirects=False)
        assert moved.status_code == 308
        assert moved.headers["location"] == new.format(**values) + "?since=0"
        assert moved.headers["deprecation"] == "true"


def test_a_redirected_call_is_served_as_before(client: TestClient, world: World) -> None:
    order = place(client, world.alice, world.product_a).json()
    link = client.post(f"/api/v1/orders/{order['id']}/share", headers=world.alice.headers)
    events = client.get(f"/api/v1/shared/{link.json()['token']}/events")
    assert events.status_code == 200
    assert [e["type"] for e in events.json()] == ["placed"]
