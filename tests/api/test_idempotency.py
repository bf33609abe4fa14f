"""Acceptance 1: the Idempotency-Key contract on order creation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from c2m.bootstrap import Platform
from c2m.domains.orders.models import Order
from tests.conftest import LiveServer, World, place


def order_count(platform: Platform, customer_id: str | None = None) -> int:
    query = select(func.count()).select_from(Order)
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    with platform.db.read() as session:
        return int(session.scalar(query) or 0)


def test_same_key_and_body_replays_the_stored_response(
    client: TestClient, platform: Platform, world: World
) -> None:
    first = place(client, world.alice, world.product_a, 2, **{"Idempotency-Key": "k-1"})
    second = place(client, world.alice, world.product_a, 2, **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert order_count(platform) == 1


def test_same_key_with_another_body_is_refused(
    client: TestClient, platform: Platform, world: World
) -> None:
    assert place(client, world.alice, world.product_a, 1, **{"Idempotency-Key": "k-2"}).is_success
    other = place(client, world.alice, world.product_a, 3, **{"Idempotency-Key": "k-2"})
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert "different request" in other.json()["detail"]
    assert order_count(platform) == 1


def test_keys_are_scoped_to_the_caller(
    client: TestClient, platform: Platform, world: World
) -> None:
    mine = place(client, world.alice, world.product_a, 1, **{"Idempotency-Key": "shared"})
    theirs = place(client, world.bob, world.product_a, 1, **{"Idempotency-Key": "shared"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["customer_id"] == world.bob.user.id
    assert order_count(platform) == 2


def test_without_a_key_each_request_creates(
    client: TestClient, platform: Platform, world: World
) -> None:
    place(client, world.alice, world.product_a)
    place(client, world.alice, world.product_a)
    assert order_count(platform) == 2


def test_twenty_concurrent_requests_with_one_key_make_one_order(
    live_server: LiveServer, world: World
) -> None:
    def submit(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.url, timeout=30) as http:
            return place(http, world.alice, world.product_a, 4, **{"Idempotency-Key": "burst"})

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(submit, range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    created = [r.json() for r in responses if r.status_code == 201]
    assert created
    assert all(body == created[0] for body in created)
    assert order_count(live_server.platform) == 1
