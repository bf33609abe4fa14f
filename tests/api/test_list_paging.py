"""Lists made for sync: a client walks a list by cursor and misses or repeats nothing, even while
orders keep arriving; the next page is in a ``Link`` header; filters narrow the walk."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.orders.models import Order, OrderEvent
from c2m.domains.orders.schemas import NewOrder
from tests.conftest import Person, World, place, place_order

PROBLEM_JSON = "application/problem+json"
EXISTING = 1_000
ARRIVING = 200


def _new_order(world: World) -> NewOrder:
    return NewOrder.model_validate({"lines": [{"product_id": world.product_a.id, "quantity": 1}]})


def walk(client: TestClient, person: Person, url: str) -> list[dict[str, object]]:
    """Follow ``rel="next"`` links from ``url`` to the end, as a sync client would."""
    seen: list[dict[str, object]] = []
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url, headers=person.headers)
        assert response.status_code == 200, response.text
        seen += response.json()
        link = response.links.get("next")
        next_url = link["url"] if link else None
    return seen


def test_a_walk_sees_every_existing_order_once_while_orders_arrive(
    platform: Platform, client: TestClient, world: World
) -> None:
    with platform.db.write() as session:
        for _ in range(EXISTING):
            place_order(session, world.alice.actor, _new_order(world))
    with platform.db.read() as session:
        at_start = set(session.scalars(select(Order.id)))
    started = threading.Event()

    def write_more() -> None:
        for _ in range(ARRIVING):
            with platform.db.write() as session:
                place_order(session, world.alice.actor, _new_order(world))
            started.set()

    writer = threading.Thread(target=write_more)
    writer.start()
    started.wait(timeout=60)
    walked = walk(client, world.alice, "/api/v1/orders?limit=40")
    writer.join()

    counts = Counter(str(order["id"]) for order in walked)
    assert at_start <= counts.keys()
    assert max(counts.values()) == 1
    created = [datetime.fromisoformat(str(order["created_at"])) for order in walked]
    assert created == sorted(created)


def test_the_next_page_is_linked_and_the_last_page_has_no_link(
    client: TestClient, world: World
) -> None:
    ids = [place(client, world.alice, world.product_a).json()["id"] for _ in range(3)]

    first = client.get("/api/v1/orders?limit=2", headers=world.alice.headers)
    assert [o["id"] for o in first.json()] == ids[:2]
    cursor = first.headers["X-Next-Cursor"]
    next_url = httpx.URL(first.links["next"]["url"])
    assert next_url.path == "/api/v1/orders"
    assert next_url.params["cursor"] == cursor
    assert next_url.params["limit"] == "2"

    last = client.get(f"/api/v1/orders?limit=2&cursor={cursor}", headers=world.alice.headers)
    assert [o["id"] for o in last.json()] == ids[2:]
    assert "Link" not in last.headers
    assert "X-Next-Cursor" not in last.headers


def test_a_cursor_the_server_did_not_give_out_is_refused_with_a_sentence(
    client: TestClient, world: World
) -> None:
    for cursor in ["nonsense", "W10", "eyJhIjoxfQ", "WyIyMDI2LTAxLTAxIiwgIngiXQ"]:
        response = client.get(f"/api/v1/orders?cursor={cursor}", headers=world.alice.headers)
        assert response.status_code == 422, cursor
        assert response.headers["content-type"] == PROBLEM_JSON
        assert "start the walk again" in response.json()["detail"]


def test_the_page_size_is_bounded(client: TestClient, world: World) -> None:
    for limit in ["0", "201", "-1"]:
        response = client.get(f"/api/v1/tokens?limit={limit}", headers=world.alice.headers)
        assert response.status_code == 422, limit
        assert response.headers["content-type"] == PROBLEM_JSON
    assert client.get("/api/v1/tokens?limit=200", headers=world.alice.headers).status_code == 200


def test_orders_filter_by_state_and_by_time_of_change(client: TestClient, world: World) -> None:
    placed = [place(client, world.alice, world.product_a).json()["id"] for _ in range(3)]
    before_paying = datetime.now(UTC)
    paid = client.post(
        f"/api/v1/orders/{placed[1]}/pay",
        json={"payment_method": "test-ok"},
        headers=world.alice.headers,
    )
    assert paid.status_code == 200, paid.text

    by_state = client.get("/api/v1/orders?state=paid", headers=world.alice.headers).json()
    assert [o["id"] for o in by_state] == [placed[1]]
    changed = client.get(
        "/api/v1/orders",
        params={"updated_since": before_paying.isoformat()},
        headers=world.alice.headers,
    ).json()
    assert [o["id"] for o in changed] == [placed[1]]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    none = client.get(
        "/api/v1/orders", params={"updated_since": later}, headers=world.alice.headers
    )
    assert none.json() == []
    for bad in ["state=lost", "updated_since=0.5", "updated_since=2026-01-31"]:
        refused = client.get(f"/api/v1/orders?{bad}", headers=world.alice.headers)
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"] == PROBLEM_JSON


def test_short_lists_page_the_same_way(client: TestClient, world: World) -> None:
    for name in ["one", "two", "three"]:
        made = client.post("/api/v1/tokens", json={"name": name}, headers=world.alice.headers)
        assert made.status_code == 201, made.text
    names = [t["name"] for t in walk(client, world.alice, "/api/v1/tokens?limit=1")]
    assert names[-3:] == ["one", "two", "three"]
    assert len(names) == len(set(names))


def test_the_openapi_document_describes_paging(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/orders"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"cursor", "limit", "updated_since", "state"} <= names
    assert {"Link", "X-Next-Cursor"} <= operation["responses"]["200"]["headers"].keys()


def test_a_long_timeline_links_its_next_page_by_sequence(
    platform: Platform, client: TestClient, world: World
) -> None:
    order_id = place(client, world.alice, world.product_a).json()["id"]
    with platform.db.write() as session:
        first = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id)).one()
        start = first.seq
        session.add_all(
            OrderEvent(
                order_id=order_id,
                seq=first.seq + n,
                type=first.type,
                state=first.state,
                progress=first.progress,
                actor=first.actor,
            )
            for n in range(1, 520)
        )
    url = f"/api/v1/orders/{order_id}/events"
    page = client.get(url, headers=world.alice.headers)
    assert [e["seq"] for e in page.json()] == list(range(start, start + 500))
    last_seq = str(start + 499)
    assert page.headers["X-Next-Cursor"] == last_seq
    assert httpx.URL(page.links["next"]["url"]).params["after"] == last_seq
    events = walk(client, world.alice, url)
    assert [e["seq"] for e in events] == list(range(start, start + 520))
