"""Transactional outbox: events are rows written in the same transaction as the change they
describe, then relayed to the bus at least once. Consumers deduplicate by message id.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from c2m.kernel.bus import EventBus
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, Database, UTCDateTime, table_of


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    topic: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class ProcessedMessage(Base):
    """Which consumer has already handled which outbox message, so repeats are ignored."""

    __tablename__ = "processed_messages"

    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def add_to_outbox(session: Session, topic: str, payload: dict[str, Any]) -> None:
    """Queue a message; it is published only if the surrounding transaction commits."""
    add_all_to_outbox(session, [(topic, payload)])


def add_all_to_outbox(session: Session, messages: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Queue (topic, payload) messages in one statement, published only on commit."""
    now = utcnow()
    rows = [{"topic": topic, "payload": payload, "created_at": now} for topic, payload in messages]
    if not rows:
        return
    with session.no_autoflush:  # the caller's pending changes flush together, once
        session.execute(insert(table_of(OutboxMessage)), rows)
    session.info["outbox_dirty"] = True


def first_time(session: Session, consumer: str, message_id: int) -> bool:
    """Record that ``consumer`` handles ``message_id``; False if it already did (a repeat)."""
    if session.get(ProcessedMessage, (consumer, message_id)) is not None:
        return False
    session.add(ProcessedMessage(consumer=consumer, message_id=message_id))
    session.flush()
    return True


class OutboxRelay:
    """Publishes committed outbox rows to the bus, oldest first, at least once."""

    def __init__(self, db: Database, bus: EventBus, batch: int = 200) -> None:
        self.db = db
        self.bus = bus
        self.batch = batch
        self.wakeup = threading.Event()
        db.after_commit.append(self._wake_if_dirty)

    def _wake_if_dirty(self, info: dict[str, Any]) -> None:
        if info.get("outbox_dirty"):
            self.wakeup.set()

    def relay_once(self) -> int:
        """Publish one batch; returns how many rows were published.

        Handlers run while the batch is published; on SQLite that happens outside any write
        transaction (a handler may write), on PostgreSQL under ``FOR UPDATE SKIP LOCKED`` so
        relays in several processes share the work instead of repeating it.
        """
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.published_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(self.batch)
        )
        if self.db.is_sqlite:
            with self.db.read() as session:
                rows = list(session.scalars(query))
            self._publish(rows)
            with self.db.write() as session:
                self._mark(session, rows)
        else:
            with self.db.write() as session:
                rows = list(session.scalars(query.with_for_update(skip_locked=True)))
                self._publish(rows)
                self._mark(session, rows)
        return len(rows)

    def _publish(self, rows: list[OutboxMessage]) -> None:
        self.bus.publish_batch([(row.topic, {**row.payload, "message_id": row.id}) for row in rows])

    @staticmethod
    def _mark(session: Session, rows: list[OutboxMessage]) -> None:
        if rows:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([row.id for row in rows]))
                .values(published_at=utcnow())
            )

    def pending(self) -> int:
        with self.db.read() as session:
            query = select(func.count()).where(OutboxMessage.published_at.is_(None))
            return int(session.scalar(query) or 0)
