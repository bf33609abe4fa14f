"""Acceptance 3: two concurrent transitions on one order — exactly one wins, the other gets 409."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from c2m.domains.orders.models import Order, OrderEvent
from tests.conftest import LiveServer, World, place

ROUNDS = 5


def _paid_order(http: httpx.Client, world: World) -> dict[str, object]:
    order = place(http, world.alice, world.product_a).json()
    paid = http.post(
        f"/api/v1/orders/{order['id']}/pay",
        json={"payment_method": "test-ok"},
        headers=world.alice.headers,
    )
    assert paid.status_code == 200, paid.text
    body: dict[str, object] = paid.json()
    return body


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("maker_a", "advance", {"to": "designing"}), ("alice", "cancel", {})),
        (("maker_a", "advance", {"to": "planned"}), ("maker_a", "advance", {"to": "designing"})),
        (("alice", "cancel", {}), ("alice", "cancel", {})),
    ],
    ids=["advance-vs-cancel", "advance-vs-advance", "cancel-twice"],
)
def test_exactly_one_of_two_concurrent_transitions_wins(
    live_server: LiveServer,
    world: World,
    first: tuple[str, str, dict[str, str]],
    second: tuple[str, str, dict[str, str]],
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        for _ in range(ROUNDS):
            order = _paid_order(http, world)
            barrier = threading.Barrier(2)

            def run(
                call: tuple[str, str, dict[str, str]],
                order: dict[str, object] = order,
                barrier: threading.Barrier = barrier,
            ) -> int:
                who, action, body = call
                person = getattr(world, who)
                barrier.wait()
                response = http.post(
                    f"/api/v1/orders/{order['id']}/{action}",
                    json={**body, "expected_version": order["version"]},
                    headers=person.headers,
                )
                return response.status_code

            with ThreadPoolExecutor(2) as pool:
                statuses = sorted(pool.map(run, [first, second]))
            assert statuses == [200, 409]
            with live_server.platform.db.read() as session:
                stored = session.get(Order, order["id"])
                assert stored is not None
                assert stored.version == int(str(order["version"])) + 1
                seqs = session.scalars(
                    select(OrderEvent.seq).where(OrderEvent.order_id == stored.id)
                ).all()
                assert sorted(seqs) == list(range(1, stored.last_seq + 1))
