"""Bad input gets a 4xx problem+json whose ``detail`` a person can act on.

Each case checks the status, the media type, the RFC 9457 members, and that the sentence names
what was wrong (the field, the limit) rather than echoing parser internals.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from fastapi.testclient import TestClient

from c2m.bootstrap import Platform
from c2m.domains.orders.models import Order
from tests.conftest import World

PROBLEM_JSON = "application/problem+json"
# What a sentence for a person must not contain: pydantic and Python internals.
JARGON = ("Input should", "pydantic", "Traceback", "model_attributes", "extra_forbidden", "loc")


def assert_problem(response: httpx.Response, status: int, *mentions: str) -> dict[str, Any]:
    """A problem document with ``status`` whose detail is a sentence mentioning ``mentions``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"][:1].isupper()
    detail: str = body["detail"]
    assert detail[:1].isupper(), detail
    assert detail.endswith("."), detail
    for word in JARGON:
        assert word not in detail, f"{word!r} in {detail!r}"
    for word in mentions:
        assert word in detail, f"{word!r} not in {detail!r}"
    return body


def order_count(platform: Platform) -> int:
    with platform.db.read() as session:
        return session.query(Order).count()


def post_order(client: TestClient, world: World, body: object) -> httpx.Response:
    return client.post("/api/v1/orders", json=body, headers=world.alice.headers)


def line(world: World, **fields: object) -> dict[str, object]:
    return {"product_id": world.product_a.id, "quantity": 1, **fields}


def test_malformed_json_is_400_with_a_hint(client: TestClient, world: World) -> None:
    """A truncated body is a client mistake (400), and the hint says where to look."""
    response = client.post(
        "/api/v1/orders",
        content=b'{"lines": [{"product_id": ',
        headers={**world.alice.headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "not valid JSON")


WRONG_TYPES: list[tuple[dict[str, object], tuple[str, ...]]] = [
    ({"quantity": "three"}, ("lines[0].quantity", "whole number")),
    ({"quantity": 1.5}, ("lines[0].quantity", "whole number")),
    ({"quantity": None}, ("lines[0].quantity", "whole number")),
    ({"product_id": 42}, ("lines[0].product_id", "text")),
    ({"configuration": ["blue"]}, ("lines[0].configuration", "JSON object")),
]


def test_wrong_types_name_the_field(client: TestClient, world: World, platform: Platform) -> None:
    """A wrong type names the field by its path in the body and the type it wants."""
    for fields, mentions in WRONG_TYPES:
        response = post_order(client, world, {"lines": [line(world, **fields)]})
        body = assert_problem(response, 422, *mentions)
        assert body["errors"], "machine-readable errors accompany the sentence"
    assert order_count(platform) == 0


def test_body_that_is_not_an_object(client: TestClient, world: World) -> None:
    assert_problem(post_order(client, world, [line(world)]), 422, "the body", "JSON object")


def test_missing_body_and_missing_field(client: TestClient, world: World) -> None:
    """Leaving things out says what is required."""
    response = client.post("/api/v1/orders", headers=world.alice.headers)
    assert_problem(response, 422, "the body is required")
    assert_problem(post_order(client, world, {}), 422, "lines is required")


def test_unknown_fields_are_refused_not_ignored(
    client: TestClient, world: World, platform: Platform
) -> None:
    """A misspelt or invented field must not be dropped silently (a coupon nobody applied)."""
    response = post_order(client, world, {"lines": [line(world)], "coupon": "FREE"})
    assert_problem(response, 422, "coupon", "not a field we know")
    response = post_order(client, world, {"lines": [line(world, qty=3)]})
    assert_problem(response, 422, "lines[0].qty", "not a field we know")
    assert order_count(platform) == 0


def test_absurd_quantities(client: TestClient, world: World, platform: Platform) -> None:
    """Quantities outside 1..10,000 are refused with the limit in the sentence; nothing stored."""
    for quantity, limit in [
        (10_001, "at most 10,000"),
        (10**30, "at most 10,000"),
        (0, "at least 1"),
        (-5, "at least 1"),
    ]:
        response = post_order(client, world, {"lines": [line(world, quantity=quantity)]})
        assert_problem(response, 422, "lines[0].quantity", limit)
    assert order_count(platform) == 0
    accepted = post_order(client, world, {"lines": [line(world, quantity=10_000)]})
    assert accepted.status_code == 201, accepted.text


def test_no_lines_and_wrong_query_types(client: TestClient, world: World) -> None:
    assert_problem(post_order(client, world, {"lines": []}), 422, "lines", "at least 1")
    response = client.get("/api/v1/orders?limit=lots", headers=world.alice.headers)
    assert_problem(response, 422, "query parameter limit", "whole number")
    response = client.get("/api/v1/orders?limit=100000", headers=world.alice.headers)
    assert_problem(response, 422, "query parameter limit", "at most 200")


def test_body_sent_as_something_else_than_json(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/orders",
        content=b"lines=1",
        headers={**world.alice.headers, "Content-Type": "text/plain"},
    )
    assert_problem(response, 415, "application/json")


def test_oversized_body_with_declared_length(
    client: TestClient, world: World, platform: Platform
) -> None:
    """A Content-Length over the limit is refused before the body is read."""
    limit = platform.settings.max_body_bytes
    padding = "x" * (limit + 1)
    response = post_order(client, world, {"lines": [line(world, product_id=padding)]})
    assert_problem(response, 413, f"{limit:,} bytes")
    assert order_count(platform) == 0


def test_oversized_body_streamed_without_length(
    client: TestClient, world: World, platform: Platform
) -> None:
    """A chunked body (no Content-Length) is cut off once it passes the limit, still as 413."""
    limit = platform.settings.max_body_bytes
    chunk = b" " * 65_536
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"lines": ['
        while sent <= limit:
            sent += len(chunk)
            yield chunk
        yield b"]}"

    response = client.post(
        "/api/v1/orders",
        content=chunks(),
        headers={**world.alice.headers, "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, f"{limit:,} bytes")


def test_a_body_just_under_the_limit_is_read(client: TestClient, world: World) -> None:
    """The limit is not so tight that an ordinary large body trips it: it reaches validation."""
    filler = "x" * 10_000
    response = post_order(client, world, {"lines": [line(world, product_id=filler)]})
    assert_problem(response, 422, "lines[0].product_id", "at most 32 characters")


def test_missing_auth_is_401(client: TestClient, world: World) -> None:
    """No credentials: 401 with a sentence saying how to authenticate, before any validation."""
    for method, path in [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/orders"),
        ("POST", "/api/v1/orders"),
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/orders/anything/pay"),
    ]:
        response = client.request(method, path, json={"lines": [line(world)]})
        assert_problem(response, 401, "API token")


def test_unknown_token_is_401(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/orders", headers={"Authorization": "Bearer c2m_not-a-token"})
    assert_problem(response, 401, "unknown or has been revoked")


def test_wrong_method_lists_what_is_allowed(client: TestClient, world: World) -> None:
    """405 names every method the address answers, across the routes that share it."""
    response = client.put("/api/v1/tokens", headers=world.alice.headers)
    assert_problem(response, 405)
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
