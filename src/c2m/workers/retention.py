"""Retention: what the database no longer needs goes, a batch per transaction.

Telemetry past ``C2M_RETAIN_TELEMETRY_DAYS``, published outbox messages and the consumers' marks
of handled ones past ``C2M_RETAIN_OUTBOX_DAYS`` (a repeat comes from an outbox row that still
exists, so a mark older than the rows cannot be needed), expired browser sessions, and webhook
deliveries done with (delivered or failed) past ``C2M_RETAIN_WEBHOOK_DAYS`` with their log.
Each batch of ``C2M_RETENTION_BATCH`` rows is its own short transaction, so neither a PostgreSQL
writer nor SQLite's single write lock waits long on it, and several workers running it at once
only share the work.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, select, tuple_

from c2m.domains.factory.models import TelemetrySample
from c2m.domains.integrations.deliveries import finished_before
from c2m.domains.integrations.models import WebhookDelivery
from c2m.domains.platform.models import WebSession
from c2m.kernel.db import Base, Database, table_of
from c2m.kernel.outbox import OutboxMessage, ProcessedMessage
from c2m.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Retention:
    telemetry: timedelta
    outbox: timedelta
    batch: int
    webhooks: timedelta = timedelta(days=30)

    @classmethod
    def of(cls, settings: Settings) -> Retention:
        return cls(
            telemetry=timedelta(days=settings.retain_telemetry_days),
            outbox=timedelta(days=settings.retain_outbox_days),
            batch=settings.retention_batch,
            webhooks=timedelta(days=settings.retain_webhook_days),
        )

    def purge(self, db: Database, now: datetime, stop: threading.Event | None = None) -> int:
        """Delete what is past its time; returns how many rows went (logged when any did)."""
        outbox_before = now - self.outbox
        doomed: list[tuple[type[Base], ColumnElement[bool]]] = [
            (TelemetrySample, TelemetrySample.at < now - self.telemetry),
            (OutboxMessage, OutboxMessage.published_at < outbox_before),
            (ProcessedMessage, ProcessedMessage.processed_at < outbox_before),
            (WebSession, WebSession.expires_at < now),
            (WebhookDelivery, finished_before(now - self.webhooks)),
        ]
        total = 0
        for model, old in doomed:
            gone = self._delete(db, model, old, stop)
            if gone:
                log.info("retention deleted %d rows of %s", gone, model.__tablename__)
            total += gone
        return total

    def _delete(
        self,
        db: Database,
        model: type[Base],
        old: ColumnElement[bool],
        stop: threading.Event | None,
    ) -> int:
        """Batches in primary-key order: old rows come first, so each batch is found at once."""
        table = table_of(model)
        key = list(table.primary_key.columns)
        deleted = 0
        while stop is None or not stop.is_set():
            chosen = select(*key).where(old).order_by(*key).limit(self.batch)
            target = key[0] if len(key) == 1 else tuple_(*key)
            with db.write() as session:
                result = session.execute(delete(table).where(target.in_(chosen)))
                gone = cast(CursorResult[Any], result).rowcount
            deleted += gone
            if gone < self.batch:
                break
        return deleted
