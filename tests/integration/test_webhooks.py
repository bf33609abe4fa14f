"""Outgoing webhooks against a real HTTP receiver, on SQLite and PostgreSQL: committed order
events arrive signed (verified with the standardwebhooks library), failures are retried on the
schedule with every attempt logged, a hanging receiver holds up no one else, a webhook that keeps
failing is disabled with a reason, a delivery can be replayed, and two senders never deliver the
same attempt twice; what the handler missed is caught up; finished deliveries go with
retention."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from standardwebhooks import Webhook

from c2m.bootstrap import Platform, build_platform
from c2m.domains.integrations import delivery_log, subscriptions
from c2m.domains.integrations.catch_up import catch_up
from c2m.domains.integrations.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from c2m.domains.integrations.schemas import NewSubscription
from c2m.domains.integrations.subscriptions import Keys
from c2m.domains.orders import service
from c2m.domains.orders.schemas import NewLine, NewOrder, Pay
from c2m.kernel.clock import utcnow
from c2m.workers.retention import Retention
from c2m.workers.webhooks import SenderConfig, WebhookSender
from tests.conftest import World, make_settings, place_order
from tests.webhook_receiver import Receiver, running, wait_until

FAST_RETRIES = (0.05, 0.05, 0.05, 0.05, 0.05)


@pytest.fixture
def platform(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[Platform]:
    """The platform with its background loops, a retry schedule of milliseconds and loopback
    receivers allowed; hanging receivers are given far longer than any test waits. A test
    changes more settings by parametrizing this fixture (indirect)."""
    values: dict[str, object] = {
        "webhook_allow_loopback": True,
        "webhook_retry_seconds": FAST_RETRIES,
        "webhook_poll_seconds": 0.05,
        "webhook_timeout_seconds": 60,
        "webhook_concurrency": 4,
        "webhook_per_subscription": 2,
    }
    settings = make_settings(database_url, tmp_path, **{**values, **getattr(request, "param", {})})
    built = build_platform(settings)
    built.start()
    yield built
    built.shutdown()


def subscribe(platform: Platform, world: World, url: str, *events: str) -> str:
    """A webhook of Alpha Works (its owner subscribes); returns its signing secret."""
    keys = Keys(platform.settings.secret_key, allow_loopback=True)
    data = NewSubscription(url=url, events=list(events or ("order.placed", "order.paid")))
    with platform.db.write() as session:
        _, secret = subscriptions.create(session, world.maker_a.actor, data, keys)
    return secret


def place_and_pay(platform: Platform, world: World) -> str:
    data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=2)])
    with platform.db.write() as session:
        order = place_order(session, world.alice.actor, data)
    with platform.db.write() as session:
        pay = Pay(payment_method="test-ok")
        service.pay(session, world.alice.actor, order.id, pay, platform.payments)
    return order.id


def delivery_rows(platform: Platform) -> list[WebhookDelivery]:
    with platform.db.read() as session:
        return list(session.scalars(select(WebhookDelivery)))


def recorded(platform: Platform, attempts: int) -> list[WebhookDelivery]:
    """The deliveries once the sender has logged ``attempts`` in all: a receiver hears an attempt
    before the sender writes down its answer."""

    def logged() -> int:
        with platform.db.read() as session:
            return sum(
                len(delivery_log.attempts_of(session, d.id)) for d in delivery_rows(platform)
            )

    wait_until(lambda: logged() == attempts, f"{attempts} attempts were logged")
    return delivery_rows(platform)


def test_a_placed_and_paid_order_arrives_signed(platform: Platform, world: World) -> None:
    with running(Receiver()) as receiver:
        secret = subscribe(platform, world, receiver.url)
        order_id = place_and_pay(platform, world)
        wait_until(lambda: len(receiver.accepted) == 2, "both events arrived")

    verified = [Webhook(secret).verify(r.body, r.headers) for r in receiver.accepted]
    assert sorted(e["type"] for e in verified) == ["order.paid", "order.placed"]
    assert {e["data"]["order_id"] for e in verified} == {order_id}
    assert {e["data"]["enterprise_id"] for e in verified} == {world.enterprise_a.id}
    paid = next(e for e in verified if e["type"] == "order.paid")
    assert paid["data"]["state"] == "paid"
    assert paid["data"]["data"]["amount"] == 9000
    forged = Webhook(secret[:-4] + "AAA=")
    with pytest.raises(Exception, match="signature"):
        forged.verify(receiver.accepted[0].body, receiver.accepted[0].headers)


def test_only_the_enterprises_own_orders_and_asked_for_types_are_delivered(
    platform: Platform, world: World
) -> None:
    with running(Receiver()) as receiver:
        subscribe(platform, world, receiver.url, "order.paid")
        data = NewOrder(lines=[NewLine(product_id=world.product_b.id, quantity=1)])
        with platform.db.write() as session:
            place_order(session, world.bob.actor, data)  # Beta Works' order
        place_and_pay(platform, world)
        wait_until(lambda: len(receiver.accepted) == 1, "the payment arrived")
        platform.relay.wakeup.set()
        wait_until(lambda: platform.relay.pending() == 0, "the relay published everything")
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["order.paid"]


def test_a_receiver_failing_three_times_gets_the_event_once_with_the_retries_logged(
    platform: Platform, world: World
) -> None:
    with running(Receiver(script=[500, 500, 500])) as receiver:
        subscribe(platform, world, receiver.url, "order.placed")
        data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=1)])
        with platform.db.write() as session:
            place_order(session, world.alice.actor, data)
        wait_until(lambda: len(receiver.accepted) == 1, "the event was accepted")

    assert [r.status for r in receiver.received] == [500, 500, 500, 200]
    assert len({r.webhook_id for r in receiver.received}) == 1  # one message, four attempts
    (delivery,) = recorded(platform, 4)
    assert delivery.status is DeliveryStatus.DELIVERED
    with platform.db.read() as session:
        log = delivery_log.attempts_of(session, delivery.id)
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 500), (3, 500), (4, 200)]


def test_a_hanging_receiver_does_not_hold_up_another(platform: Platform, world: World) -> None:
    """Four deliveries in flight per worker at most, two per webhook: the hanging receiver
    keeps two of them and the other webhook gets everything through the two that are left."""
    hang = threading.Event()
    with running(Receiver(hang=hang)) as stuck, running(Receiver()) as healthy:
        subscribe(platform, world, stuck.url)
        subscribe(platform, world, healthy.url)
        for _ in range(5):
            place_and_pay(platform, world)
        wait_until(lambda: len(healthy.accepted) == 10, "the healthy receiver got all")
        assert not hang.is_set()
        assert stuck.received == []  # still hanging on its first requests


@pytest.mark.parametrize(
    "platform",
    [{"webhook_disable_after_seconds": 0.2, "webhook_retry_seconds": (0.05,) * 30}],
    indirect=True,
)
def test_a_webhook_failing_past_the_limit_is_disabled_and_its_owner_told_why(
    platform: Platform, world: World
) -> None:
    with running(Receiver(then=503)) as receiver:
        subscribe(platform, world, receiver.url, "order.placed")
        data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=1)])
        with platform.db.write() as session:
            place_order(session, world.alice.actor, data)

        def disabled() -> bool:
            with platform.db.read() as session:
                return not session.scalars(select(WebhookSubscription)).one().active

        wait_until(disabled, "the webhook was disabled")
    with platform.db.read() as session:
        subscription = session.scalars(select(WebhookSubscription)).one()
    assert subscription.disabled_reason is not None
    assert "answered 503" in subscription.disabled_reason
    assert "enable the webhook again" in subscription.disabled_reason


def test_a_delivered_event_can_be_replayed(platform: Platform, world: World) -> None:
    with running(Receiver()) as receiver:
        subscribe(platform, world, receiver.url, "order.placed")
        data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=1)])
        with platform.db.write() as session:
            place_order(session, world.alice.actor, data)
        wait_until(lambda: len(receiver.accepted) == 1, "the event arrived")
        (delivery,) = recorded(platform, 1)
        with platform.db.write() as session:
            delivery_log.replay(
                session, world.maker_a.actor, delivery.subscription_id, delivery.id, utcnow()
            )
        platform.webhooks.wake()
        wait_until(lambda: len(receiver.accepted) == 2, "the replay arrived")
        recorded(platform, 2)
    assert {r.webhook_id for r in receiver.accepted} == {delivery.id}
    with platform.db.read() as session:
        assert [a.number for a in delivery_log.attempts_of(session, delivery.id)] == [1, 2]


def test_two_senders_never_deliver_the_same_attempt_twice(platform: Platform, world: World) -> None:
    second = WebhookSender(platform.db, SenderConfig.of(platform.settings))
    stop = threading.Event()
    thread = threading.Thread(target=second.run, args=(stop,), daemon=True)
    thread.start()
    try:
        with running(Receiver()) as receiver:
            subscribe(platform, world, receiver.url)
            subscribe(platform, world, receiver.url)
            for _ in range(10):
                place_and_pay(platform, world)
            wait_until(lambda: len(receiver.accepted) == 40, "every event arrived")
            wait_until(
                lambda: all(d.status == DeliveryStatus.DELIVERED for d in delivery_rows(platform)),
                "every attempt was recorded",  # a sender records after the receiver answers
            )
            stop.set()
            second.wake()
            thread.join(timeout=10)
    finally:
        stop.set()
    ids = [r.webhook_id for r in receiver.received]
    assert len(ids) == len(set(ids)) == 40
    assert all(d.attempts == 1 for d in delivery_rows(platform))


def test_retention_deletes_finished_deliveries_with_their_log_and_keeps_waiting_ones(
    platform: Platform, world: World
) -> None:
    subscribe(platform, world, "http://127.0.0.1:9/never-called")
    now = utcnow()
    with platform.db.write() as session:
        hook = session.scalars(select(WebhookSubscription)).one()
        hook.active = False  # nothing is sent while the rows are arranged
        rows = {
            "old-delivered": (DeliveryStatus.DELIVERED, now - timedelta(days=40)),
            "old-waiting": (DeliveryStatus.PENDING, now - timedelta(days=40)),
            "new-delivered": (DeliveryStatus.DELIVERED, now - timedelta(days=1)),
        }
        for seq, (name, (status, created)) in enumerate(rows.items(), start=1):
            session.add(
                WebhookDelivery(
                    id=f"msg_{name}",
                    subscription_id=hook.id,
                    event_type="order.paid",
                    order_id="o" * 32,
                    seq=seq,
                    payload={},
                    status=status,
                    created_at=created,
                )
            )
        session.flush()
        session.add(WebhookAttempt(delivery_id="msg_old-delivered", number=1, duration_ms=5))

    Retention.of(platform.settings).purge(platform.db, now)

    assert sorted(d.id for d in delivery_rows(platform)) == ["msg_new-delivered", "msg_old-waiting"]
    with platform.db.read() as session:
        assert session.scalars(select(WebhookAttempt)).all() == []


def test_what_the_handler_missed_is_caught_up_once(platform: Platform, world: World) -> None:
    """A handler that failed left an event without its delivery: the catch-up writes it (and
    only it) once the event has settled, and the receiver gets it."""
    with running(Receiver()) as receiver:
        subscribe(platform, world, receiver.url, "order.placed")
        data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=1)])
        with platform.db.write() as session:
            place_order(session, world.alice.actor, data)
        wait_until(lambda: len(receiver.accepted) == 1, "the event arrived")
        with platform.db.write() as session:  # as if the handler had failed
            session.execute(delete(WebhookDelivery))
        later = utcnow() + timedelta(minutes=2)
        assert catch_up(platform.db, utcnow()) == 0  # not settled yet: the handler may still come
        assert catch_up(platform.db, later) == 1
        assert catch_up(platform.db, later) == 0
        platform.webhooks.wake()
        wait_until(lambda: len(receiver.accepted) == 2, "the caught-up delivery arrived")
    assert {json.loads(r.body)["type"] for r in receiver.accepted} == {"order.placed"}
