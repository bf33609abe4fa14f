"""Idempotency-Key handling for POSTs that create things (see ARCHITECTURE.md, API contract).

The stored response is written in the same transaction as the effect, so a crash either keeps both
or neither: a retry after a crash re-executes safely, a retry after success replays the response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint, delete, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime
from c2m.kernel.errors import Conflict, InvalidInput
from c2m.kernel.ids import new_id

MAX_KEY_LENGTH = 200


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any
    replayed: bool


def fingerprint(method: str, path: str, body: Any) -> str:
    """A stable hash of what was asked, so a reused key with another body is detected."""
    canonical = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters."
        )
    return key


def run_once(
    session: Session,
    *,
    scope: str,
    key: str,
    request_fingerprint: str,
    operation: Callable[[], tuple[int, Any]],
) -> StoredResponse:
    """Run ``operation`` once per (scope, key); replay its stored response afterwards.

    Must be called inside a write transaction. On PostgreSQL a transaction-scoped advisory lock
    makes a concurrent request with the same key fail fast with 409 instead of waiting; on SQLite
    write transactions are already serialised, so the second request simply sees the first's
    committed answer.
    """
    validate_key(key)
    if session.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(f"{scope}\0{key}".encode()).digest()[:8], "big")
        lock_id -= 1 << 63 if lock_id >= 1 << 63 else 0
        acquired = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": lock_id}
        ).scalar_one()
        if not acquired:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; "
                "retry in a moment to get its response."
            )
    existing = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    if existing is not None:
        if existing.fingerprint != request_fingerprint:
            raise InvalidInput(
                "This Idempotency-Key was already used for a different request; "
                "use a new key for a new request."
            )
        return StoredResponse(existing.status_code, existing.body, replayed=True)
    status_code, body = operation()
    session.flush()  # the operation's own rows go first, then the record of them
    session.execute(
        insert(IdempotencyRecord).values(
            id=new_id(),
            scope=scope,
            key=key,
            fingerprint=request_fingerprint,
            status_code=status_code,
            body=body,
            created_at=utcnow(),
        )
    )
    return StoredResponse(status_code, body, replayed=False)


def purge_expired(session: Session, hours: int) -> int:
    """Forget keys older than ``hours`` (the contract keeps them at least 24 h)."""
    cutoff = utcnow() - timedelta(hours=hours)
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
