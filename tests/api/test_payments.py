"""Payments through the built-in test provider: instant, declined, and confirmed later by
signed callbacks that may repeat or arrive out of order."""

from __future__ import annotations

import json
import time

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.orders.models import Payment
from c2m.domains.orders.payments import CallbackKind, TestPaymentProvider
from c2m.domains.orders.service import events_after
from tests.conftest import LiveServer, World, place


def pay(
    client: TestClient | httpx.Client, world: World, order_id: str, method: str
) -> httpx.Response:
    return client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": method},
        headers=world.alice.headers,
    )


def send_callback(
    client: TestClient,
    platform: Platform,
    ref: str,
    kind: CallbackKind,
    seq: int,
    *,
    sign: bool = True,
) -> httpx.Response:
    body = json.dumps(
        {"event_id": f"{ref}-{seq}", "payment_ref": ref, "kind": kind, "seq": seq}
    ).encode()
    signature = platform.payments.sign(body) if sign else "0" * 64
    return client.post(
        "/api/v1/payments/test/callbacks",
        content=body,
        headers={"Content-Type": "application/json", "X-C2M-Signature": signature},
    )


def types(platform: Platform, order_id: str) -> list[str]:
    with platform.db.read() as session:
        return [e.type for e in events_after(session, order_id, 0)]


def test_declined_payment_keeps_the_order_payable(client: TestClient, world: World) -> None:
    order = place(client, world.alice, world.product_a).json()
    declined = pay(client, world, order["id"], "test-decline").json()
    assert declined["state"] == "placed"
    assert declined["captured"] == 0
    paid = pay(client, world, order["id"], "test-ok").json()
    assert paid["state"] == "paid"
    assert paid["captured"] == order["total"]
    again = pay(client, world, order["id"], "test-ok")
    assert again.status_code == 409


def test_delayed_payment_is_captured_once_despite_repeats_and_disorder(
    client: TestClient, platform: Platform, world: World
) -> None:
    deliveries: list[list[object]] = []
    platform.payments.deliver_later = deliveries.append  # hold the webhooks; we send them
    order = place(client, world.alice, world.product_a).json()
    pending = pay(client, world, order["id"], "test-delayed").json()
    assert pending["state"] == "placed"
    assert pay(client, world, order["id"], "test-ok").status_code == 409  # one at a time
    ref = deliveries[0][0].provider_ref  # type: ignore[attr-defined]
    assert send_callback(client, platform, ref, CallbackKind.SUCCEEDED, 2).json() == {
        "applied": True
    }
    assert send_callback(client, platform, ref, CallbackKind.SUCCEEDED, 2).json() == {
        "applied": False
    }
    assert send_callback(client, platform, ref, CallbackKind.PROCESSING, 1).json() == {
        "applied": False
    }
    final = client.get(f"/api/v1/orders/{order['id']}", headers=world.alice.headers).json()
    assert final["state"] == "paid"
    assert final["captured"] == order["total"]
    assert types(platform, order["id"]) == ["placed", "payment_pending", "paid"]


def test_success_after_cancellation_is_refunded(
    client: TestClient, platform: Platform, world: World
) -> None:
    platform.payments.deliver_later = lambda _callbacks: None
    order = place(client, world.alice, world.product_a).json()
    pay(client, world, order["id"], "test-delayed")
    client.post(f"/api/v1/orders/{order['id']}/cancel", json={}, headers=world.alice.headers)
    with platform.db.read() as session:
        ref = session.scalars(select(Payment.provider_ref)).one()
    send_callback(client, platform, ref, CallbackKind.SUCCEEDED, 2)
    final = client.get(f"/api/v1/orders/{order['id']}", headers=world.alice.headers).json()
    assert final["state"] == "refunded"
    assert final["captured"] == final["refunded"] == order["total"]


def test_forged_callbacks_are_refused(client: TestClient, platform: Platform, world: World) -> None:
    response = send_callback(client, platform, "tp_unknown", CallbackKind.SUCCEEDED, 2, sign=False)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    unknown = send_callback(client, platform, "tp_unknown", CallbackKind.SUCCEEDED, 2)
    assert unknown.status_code == 404


def test_the_running_platform_confirms_delayed_payments_by_itself(
    live_server: LiveServer, world: World
) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        order = place(http, world.alice, world.product_a).json()
        pay(http, world, order["id"], "test-delayed")
        deadline = time.monotonic() + 10
        state = "placed"
        while state != "paid" and time.monotonic() < deadline:
            time.sleep(0.1)
            state = http.get(f"/api/v1/orders/{order['id']}", headers=world.alice.headers).json()[
                "state"
            ]
    assert state == "paid"
    time.sleep(1)  # the provider repeats itself; nothing more may happen
    assert types(live_server.platform, order["id"]) == ["placed", "payment_pending", "paid"]


def test_test_provider_signatures_depend_on_the_secret() -> None:
    body = b'{"x": 1}'
    assert TestPaymentProvider("a" * 40).sign(body) != TestPaymentProvider("b" * 40).sign(body)
    assert TestPaymentProvider("a" * 40).verify(body, TestPaymentProvider("a" * 40).sign(body))
