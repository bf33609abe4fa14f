"""Notifications waiting to be sent (Web Push, e-mail), as rows: written in the transaction
that marks their outbox message handled, taken by one sender at a time, deleted once done.

A claim is a lease: it pushes the row's ``due_at`` ahead and counts the attempt, under
``FOR UPDATE SKIP LOCKED`` on PostgreSQL and in SQLite's single write transaction, so two
senders never hold the same row at once. What follows an attempt counts only if no one claimed
the row since (the attempt number is the fence). A sender that dies after sending and before
recording sends that notification again once the lease runs out: twice, never zero times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from c2m.domains.integrations.models import Channel, OutgoingNotification
from c2m.kernel.db import table_of
from c2m.kernel.ids import new_id


@dataclass(frozen=True)
class Claimed:
    """A notification a sender holds: what to send, and which attempt this is (1 for the
    first)."""

    id: str
    payload: dict[str, Any]
    attempt: int


def add(
    session: Session, channel: Channel, payloads: Iterable[dict[str, Any]], now: datetime
) -> int:
    """Queue notifications to send now; how many."""
    rows = [
        {
            "id": new_id(),
            "channel": channel,
            "payload": payload,
            "due_at": now,
            "attempts": 0,
            "created_at": now,
        }
        for payload in payloads
    ]
    if rows:
        session.execute(insert(table_of(OutgoingNotification)), rows)
    return len(rows)


def claim(session: Session, channel: Channel, now: datetime, lease: timedelta) -> Claimed | None:
    """Lease the longest-waiting due notification of ``channel``, if any."""
    row = session.execute(
        select(OutgoingNotification.id, OutgoingNotification.payload, OutgoingNotification.attempts)
        .where(OutgoingNotification.channel == channel, OutgoingNotification.due_at <= now)
        .order_by(OutgoingNotification.due_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        return None
    session.execute(
        update(OutgoingNotification)
        .where(OutgoingNotification.id == row.id)
        .values(due_at=now + lease, attempts=row.attempts + 1)
    )
    return Claimed(row.id, row.payload, row.attempts + 1)


def _fenced(claimed: Claimed) -> tuple[Any, ...]:
    return (
        OutgoingNotification.id == claimed.id,
        OutgoingNotification.attempts == claimed.attempt,
    )


def finish(session: Session, claimed: Claimed) -> None:
    """Sent, or refused for good: forget it (unless another sender took it meanwhile)."""
    session.execute(delete(OutgoingNotification).where(*_fenced(claimed)))


def retry(session: Session, claimed: Claimed, at: datetime) -> None:
    """The attempt failed: try again at ``at`` (unless another sender took it meanwhile)."""
    session.execute(update(OutgoingNotification).where(*_fenced(claimed)).values(due_at=at))


def next_due(session: Session, channel: Channel) -> datetime | None:
    """When the next notification of ``channel`` (or the next lease to run out) comes due."""
    return session.scalar(
        select(func.min(OutgoingNotification.due_at)).where(OutgoingNotification.channel == channel)
    )
