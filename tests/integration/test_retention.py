"""Retention deletes what is past its time, in batches, and keeps everything else."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from c2m.bootstrap import Platform
from c2m.domains.factory.models import Factory, Machine, TelemetrySample
from c2m.domains.platform.models import WebSession
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base
from c2m.kernel.outbox import OutboxMessage, ProcessedMessage
from c2m.workers.retention import Retention
from tests.conftest import World

DAY = timedelta(days=1)


def count(platform: Platform, model: type[Base]) -> int:
    with platform.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_old_rows_go_and_recent_ones_stay(platform: Platform, world: World) -> None:
    now = utcnow()
    with platform.db.write() as session:
        factory = Factory(enterprise_id=world.enterprise_a.id, code="ret", name="Retention")
        session.add(factory)
        session.flush()
        machine = Machine(factory_id=factory.id, code="m1", capabilities=["print"])
        session.add(machine)
        session.flush()
        for age in (40, 31, 29, 1):  # days: two past 30, two within
            for seq in range(7):
                at = now - age * DAY + timedelta(seconds=seq)
                session.add(TelemetrySample(machine_id=machine.id, at=at, seq=seq))
        for age, published in ((10, True), (8, True), (6, True), (10, False)):
            when = now - age * DAY
            session.add(
                OutboxMessage(
                    topic="test.retention",
                    payload={"age": age},
                    created_at=when,
                    published_at=when if published else None,
                )
            )
        for message_id, age in enumerate((9, 8, 2, 0)):
            at = now - age * DAY
            session.add(ProcessedMessage(consumer="test", message_id=message_id, processed_at=at))
        for key, expires in (("gone", now - DAY), ("kept", now + DAY)):
            session.add(
                WebSession(id=key, user_id=world.alice.user.id, csrf_token=key, expires_at=expires)
            )
    sessions_before = count(platform, WebSession)

    retention = Retention(telemetry=30 * DAY, outbox=7 * DAY, batch=3)  # several batches each
    deleted = retention.purge(platform.db, now)

    with platform.db.read() as session:
        telemetry_ages = {
            round((now - at) / DAY) for at in session.scalars(select(TelemetrySample.at))
        }
        outbox = {
            (row.payload["age"], row.published_at is not None)
            for row in session.scalars(
                select(OutboxMessage).where(OutboxMessage.topic == "test.retention")
            )
        }
        processed = set(session.scalars(select(ProcessedMessage.message_id)))
        session_ids = set(session.scalars(select(WebSession.id)))
    assert telemetry_ages == {29, 1}
    assert count(platform, TelemetrySample) == 14
    assert outbox == {(6, True), (10, False)}  # an unpublished message is never deleted
    assert processed == {2, 3}
    assert "gone" not in session_ids
    assert "kept" in session_ids
    assert count(platform, WebSession) == sessions_before - 1
    assert deleted == 14 + 2 + 2 + 1
    assert retention.purge(platform.db, now) == 0  # nothing left to do


def test_a_stopping_worker_stops_between_batches(platform: Platform, world: World) -> None:
    now = utcnow()
    with platform.db.write() as session:
        for message_id in range(10):
            session.add(
                ProcessedMessage(consumer="stop", message_id=message_id, processed_at=now - 9 * DAY)
            )
    stop = threading.Event()
    stop.set()
    assert Retention(30 * DAY, 7 * DAY, batch=2).purge(platform.db, now, stop) == 0
    assert count(platform, ProcessedMessage) == 10
