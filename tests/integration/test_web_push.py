"""Web Push from the worker against a stand-in push service, on SQLite and PostgreSQL: only
the order's customer may subscribe a phone, an order's news arrives encrypted for that phone
and signed with the install's VAPID key (kept readable by its owner only), a failing push
service is asked again, and a phone the push service has forgotten (410) is forgotten here too.
News queued by a worker that died before sending it reaches the phone from the next worker.
"""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.integrations.models import OutgoingNotification, PushSubscription
from c2m.kernel.vapid import FILE_NAME, vapid_keys
from c2m.workers.push import PushSender
from tests.api.test_bad_input import assert_problem
from tests.conftest import Person, World, place
from tests.push_support import PhoneKeys, check_vapid, loopback_platform, sending, start_step
from tests.webhook_receiver import Receiver, running, wait_until

platform = pytest.fixture(loopback_platform)


def subscribe(
    client: TestClient, person: Person, order_id: str, phone: PhoneKeys, url: str
) -> httpx.Response:
    return client.post(
        f"/api/v1/orders/{order_id}/push-subscriptions",
        json=phone.subscription(url),
        headers=person.headers,
    )


def test_only_the_customer_subscribes_a_phone(client: TestClient, world: World) -> None:
    order_id = place(client, world.alice, world.product_a).json()["id"]
    phone, endpoint = PhoneKeys.new(), "https://push.example.net/send/abc"
    assert_problem(subscribe(client, world.bob, order_id, phone, endpoint), 404, "not yours")
    # The maker's owner sees the order but gets no notifications in the customer's place.
    refused = subscribe(client, world.maker_a, order_id, phone, endpoint)
    assert_problem(refused, 403, "placed this order")
    inside = subscribe(client, world.alice, order_id, phone, "http://10.0.0.5/push")
    assert_problem(inside, 422, "push endpoint")
    first = subscribe(client, world.alice, order_id, phone, endpoint)
    again = subscribe(client, world.alice, order_id, phone, endpoint)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]  # asking twice is one subscription


def test_news_reaches_the_phone_once_and_a_forgotten_phone_is_forgotten(
    client: TestClient, platform: Platform, world: World, tmp_path: Path
) -> None:
    order_id = place(client, world.alice, world.product_a).json()["id"]
    phone = PhoneKeys.new()
    with running(Receiver(script=[500, 201], then=410)) as service, sending(platform.push):
        assert subscribe(client, world.alice, order_id, phone, service.url).status_code == 201
        start_step(platform, order_id, "Cut panels", "cut")
        platform.relay.relay_once()
        wait_until(lambda: len(service.accepted) == 1, "the retried push arrived")
        assert [r.status for r in service.received] == [500, 201]
        assert phone.read(service.accepted[0])["body"] == "Cutting panels started"
        vapid = check_vapid(service.accepted[0], service.url)
        assert vapid["k"] == vapid_keys(tmp_path).public_key

        start_step(platform, order_id, "Weld frame", "weld")  # the service answers 410 now
        platform.relay.relay_once()

        def forgotten() -> bool:
            with platform.db.read() as session:
                return session.scalars(select(PushSubscription)).first() is None

        wait_until(forgotten, "the forgotten phone's subscription was deleted")
        assert len(service.received) == 3  # each event once, however the relay repeats
    assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600


def test_news_queued_by_a_worker_that_died_reaches_the_phone_from_the_next(
    client: TestClient, platform: Platform, world: World, tmp_path: Path
) -> None:
    order_id = place(client, world.alice, world.product_a).json()["id"]
    phone = PhoneKeys.new()
    with running(Receiver(then=201)) as service:
        assert subscribe(client, world.alice, order_id, phone, service.url).status_code == 201
        start_step(platform, order_id, "Cut panels", "cut")
        platform.relay.relay_once()  # the handler queues the push; this worker never sends it
        assert service.received == []
        with sending(PushSender(platform.db, tmp_path, "mailto:ops@example.com")):
            wait_until(lambda: len(service.accepted) == 1, "the next worker sent the push")
        assert phone.read(service.accepted[0])["body"] == "Cutting panels started"
    with platform.db.read() as session:
        assert session.scalars(select(OutgoingNotification)).first() is None
