"""Issue 7, acceptance 3: a pre-order batch is released exactly once when enough payments
arrive (even concurrently, even with two settlers at once), or refunds every payment exactly
once when its deadline passes; both appear on every participant's timeline."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.catalog.models import Design, ProductTemplate
from c2m.domains.circles.batches import Settled, settle_batches
from c2m.domains.orders import service as orders
from c2m.domains.orders.models import Order, OrderEvent, Payment
from c2m.domains.orders.schemas import Pay
from c2m.kernel.clock import utcnow
from tests.api.test_circles import pooled_circle
from tests.conftest import Person, World


def open_batch(client: TestClient, world: World, threshold: int) -> tuple[str, str]:
    """The circle and a batch of its first proposal, open for an hour."""
    circle_id, proposals = pooled_circle(client, world)
    batch = client.post(
        f"/api/v1/proposals/{proposals[0]['id']}/batches",
        json={"threshold": threshold, "deadline": (utcnow() + timedelta(hours=1)).isoformat()},
        headers=world.maker_a.headers,
    )
    assert batch.status_code == 201, batch.text
    return circle_id, str(batch.json()["id"])


def preorder(client: TestClient, batch_id: str, person: Person) -> dict[str, Any]:
    order = client.post(f"/api/v1/batches/{batch_id}/preorders", headers=person.headers)
    assert order.status_code == 201, order.text
    assert order.json()["state"] == "placed"
    result: dict[str, Any] = order.json()
    return result


def together(*calls: Callable[[], list[Settled] | None]) -> list[Settled]:
    """Run the calls at the same moment on threads of their own; what they settled."""
    start = threading.Barrier(len(calls))
    results: list[list[Settled] | None] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [settled for result in results for settled in result or []]


def pay(platform: Platform, person: Person, order_id: str) -> None:
    with platform.db.write() as session:
        orders.pay(
            session, person.actor, order_id, Pay(payment_method="test-ok"), platform.payments
        )


def settle(platform: Platform, at: datetime | None = None) -> list[Settled]:
    with platform.db.write() as session:
        return settle_batches(session, at or utcnow(), platform.payments)


def event_types(platform: Platform, order_id: str) -> list[str]:
    with platform.db.read() as session:
        query = select(OrderEvent.type).where(OrderEvent.order_id == order_id)
        return list(session.scalars(query.order_by(OrderEvent.seq)))


def held(platform: Platform) -> set[str]:
    """Orders the planner must leave alone."""
    with platform.db.read() as session:
        return set(session.scalars(select(Order.id).where(Order.awaits_release)))


def test_enough_paid_preorders_release_the_batch_once(
    client: TestClient, world: World, platform: Platform
) -> None:
    circle_id, batch_id = open_batch(client, world, threshold=2)
    alices = preorder(client, batch_id, world.alice)["id"]
    bobs = preorder(client, batch_id, world.bob)["id"]
    assert settle(platform) == []  # nothing paid yet
    together(lambda: pay(platform, world.alice, alices), lambda: pay(platform, world.bob, bobs))
    assert held(platform) == {alices, bobs}  # paid, but production waits for the release

    settled = together(lambda: settle(platform), lambda: settle(platform))
    assert [(s.status.value, s.orders) for s in settled] == [("released", 2)]
    assert settle(platform) == []
    assert held(platform) == set()
    for order_id in (alices, bobs):
        assert event_types(platform, order_id).count("batch_released") == 1
        assert event_types(platform, order_id)[-2:] == ["paid", "batch_released"]

    batch = client.get(f"/api/v1/circles/{circle_id}/proposals", headers=world.alice.headers)
    released = next(p["batch"] for p in batch.json() if p["batch"])
    assert (released["status"], released["paid"]) == ("released", 2)
    with platform.db.read() as session:
        design = session.get(Design, released["design_id"])
        assert design is not None
        assert design.configuration == next(p["configuration"] for p in batch.json() if p["batch"])
    late = client.post(f"/api/v1/batches/{batch_id}/preorders", headers=world.alice.headers)
    assert late.status_code == 409

    # The released model is a catalog variant: listed on the product page, open to anyone.
    with platform.db.read() as session:
        product_id = session.scalar(
            select(ProductTemplate.product_id).where(ProductTemplate.id == design.template_id)
        )
    page = client.get(f"/products/{product_id}").text
    assert design.name in page
    link = re.search(r'href="(/d/[^"]+)"', page)
    assert link is not None
    shared = client.get(link.group(1))
    assert shared.status_code == 200
    assert str(design.configuration["chest"]) in shared.text


def test_a_missed_deadline_refunds_every_payment_exactly_once(
    client: TestClient, world: World, platform: Platform
) -> None:
    _, batch_id = open_batch(client, world, threshold=3)
    alices = preorder(client, batch_id, world.alice)["id"]
    bobs = preorder(client, batch_id, world.bob)["id"]
    pay(platform, world.alice, alices)
    assert settle(platform) == []  # 1 of 3 paid, deadline ahead

    after = utcnow() + timedelta(hours=2)
    settled = together(lambda: settle(platform, after), lambda: settle(platform, after))
    assert [(s.status.value, s.orders) for s in settled] == [("expired", 2)]
    assert settle(platform, after) == []

    assert event_types(platform, alices)[-4:] == ["paid", "batch_expired", "cancelled", "refunded"]
    assert event_types(platform, bobs)[-2:] == ["batch_expired", "cancelled"]
    with platform.db.read() as session:
        alice_order = session.get(Order, alices)
        assert alice_order is not None
        assert alice_order.refunded == alice_order.captured == alice_order.total > 0
        refs = list(session.scalars(select(Payment.provider_ref).where(Payment.order_id == alices)))
    assert [r for r, _ in platform.payments.refunds if r in refs] == refs  # once each


def test_a_proposal_has_one_batch(client: TestClient, world: World) -> None:
    _, proposals = pooled_circle(client, world)
    body = {"threshold": 2, "deadline": (utcnow() + timedelta(hours=1)).isoformat()}
    path = f"/api/v1/proposals/{proposals[0]['id']}/batches"
    assert client.post(path, json=body, headers=world.alice.headers).status_code == 403
    assert client.post(path, json=body, headers=world.maker_a.headers).status_code == 201
    again = client.post(path, json=body, headers=world.maker_a.headers)
    assert again.status_code == 409
    past = {**body, "deadline": "2020-01-01T00:00:00Z"}
    other = f"/api/v1/proposals/{proposals[1]['id']}/batches"
    assert client.post(other, json=past, headers=world.maker_a.headers).status_code == 422
