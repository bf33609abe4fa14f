"""Acceptance 5: the live timeline resumes after Last-Event-ID with every event exactly once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
from sqlalchemy import update

from c2m.domains.orders import service
from c2m.domains.orders.schemas import Advance
from c2m.domains.orders.states import OrderState
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database
from c2m.kernel.outbox import OutboxMessage
from tests.conftest import LiveServer, World, place

STEPS = [
    OrderState.DESIGNING,
    OrderState.PLANNED,
    OrderState.IN_PRODUCTION,
    OrderState.QUALITY_CHECK,
    OrderState.PACKAGING,
    OrderState.SHIPPED,
    OrderState.DELIVERED,
]


def sse_events(response: httpx.Response) -> Iterator[tuple[int, dict[str, object]]]:
    """Parse (id, data) pairs from a text/event-stream response as they arrive."""
    event_id, data = None, None
    for line in response.iter_lines():
        if line.startswith("id:"):
            event_id = int(line[3:].strip())
        elif line.startswith("data:"):
            data = json.loads(line[5:].strip())
        elif line == "" and event_id is not None and data is not None:
            yield event_id, data
            event_id, data = None, None


def test_json_timeline_lists_events_in_order(live_server: LiveServer, world: World) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        order = place(http, world.alice, world.product_a).json()
        http.post(
            f"/api/v1/orders/{order['id']}/pay",
            json={"payment_method": "test-ok"},
            headers=world.alice.headers,
        )
        events = http.get(f"/api/v1/orders/{order['id']}/events", headers=world.alice.headers)
    assert events.headers["content-type"].startswith("application/json")
    assert [(e["seq"], e["type"]) for e in events.json()] == [(1, "placed"), (2, "paid")]


def test_reconnect_with_last_event_id_gets_every_event_exactly_once(
    live_server: LiveServer, world: World
) -> None:
    platform = live_server.platform
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        order = place(http, world.alice, world.product_a).json()
        http.post(
            f"/api/v1/orders/{order['id']}/pay",
            json={"payment_method": "test-ok"},
            headers=world.alice.headers,
        )

    def produce() -> None:
        for step in STEPS:
            time.sleep(0.15)
            with platform.db.write() as session:
                service.advance(session, world.maker_a.actor, order["id"], Advance(to=step))

    producer = threading.Thread(target=produce)
    producer.start()
    received: list[int] = []
    headers = {**world.alice.headers, "Accept": "text/event-stream"}
    url = f"{live_server.url}/api/v1/orders/{order['id']}/events"
    deadline = time.monotonic() + 30
    expected_last = 2 + len(STEPS)
    connections = 0
    while (not received or received[-1] < expected_last) and time.monotonic() < deadline:
        connections += 1
        resume = {"Last-Event-ID": str(received[-1])} if received else {}
        with httpx.stream("GET", url, headers={**headers, **resume}, timeout=30) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for count, (event_id, data) in enumerate(sse_events(response), start=1):
                assert data["seq"] == event_id
                received.append(event_id)
                if count == 2 or event_id == expected_last:
                    break  # hang up mid-stream, as a phone losing signal would
    producer.join()
    assert received == list(range(1, expected_last + 1))
    assert connections >= 3


def test_shared_link_streams_without_an_account_until_revoked(
    live_server: LiveServer, world: World
) -> None:
    """The link shows what happened and when, never who: no name, no e-mail (issue 19)."""
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        order = place(http, world.alice, world.product_a).json()
        own = http.get(f"/api/v1/orders/{order['id']}/events", headers=world.alice.headers)
        assert [e["actor"] for e in own.json()] == [world.alice.user.name]
        link = http.post(f"/api/v1/orders/{order['id']}/share", headers=world.alice.headers)
        assert link.status_code == 201
        token = link.json()["token"]
        shared = http.get(f"/api/v1/shared-orders/{token}/events")
        assert shared.status_code == 200
        assert [(e["type"], e["actor"]) for e in shared.json()] == [("placed", "")]
        stream = {"Accept": "text/event-stream"}
        url = f"{live_server.url}/api/v1/shared-orders/{token}/events"
        with httpx.stream("GET", url, headers=stream, timeout=30) as response:
            _, streamed = next(sse_events(response))
        assert streamed["actor"] == ""
        page = http.get(f"/s/{token}")
        assert page.status_code == 200
        assert "read-only" in page.text
        for personal in (world.alice.user.name, world.alice.user.email):
            assert personal not in shared.text
            assert personal not in page.text
        assert (
            http.delete(
                f"/api/v1/orders/{order['id']}/share", headers=world.alice.headers
            ).status_code
            == 204
        )
        assert http.get(f"/api/v1/shared-orders/{token}/events").status_code == 404
        assert http.get(f"/api/v1/shared-orders/{token[:-2]}xx/events").status_code == 404


def test_events_committed_by_another_process_reach_the_stream(
    live_server: LiveServer, world: World
) -> None:
    """Another process's relay may take the outbox row; the watcher still brings the event."""
    platform = live_server.platform
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        order = place(http, world.alice, world.product_a).json()
        http.post(
            f"/api/v1/orders/{order['id']}/pay",
            json={"payment_method": "test-ok"},
            headers=world.alice.headers,
        )
    other_process = Database(platform.db.url)  # no hooks: this process's relay is not woken
    headers = {**world.alice.headers, "Accept": "text/event-stream", "Last-Event-ID": "2"}
    url = f"{live_server.url}/api/v1/orders/{order['id']}/events"
    with httpx.stream("GET", url, headers=headers, timeout=30) as response:
        with other_process.write() as session:
            service.advance(session, world.maker_a.actor, order["id"], Advance(to=STEPS[0]))
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.published_at.is_(None))
                .values(published_at=utcnow())
            )
        started = time.monotonic()
        event_id, data = next(sse_events(response))
    other_process.dispose()
    assert (event_id, data["type"]) == (3, "designing")
    assert time.monotonic() - started < 5
