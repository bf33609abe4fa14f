"""Idempotency-Key handling for POSTs that create things (see ARCHITECTURE.md, API contract).

The stored response is written in the same transaction as the effect, so a crash either keeps both
or neither: a retry after a crash re-executes safely, a retry after success replays the response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    String,
    UniqueConstraint,
    delete,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, Database, UTCDateTime, table_of
from c2m.kernel.errors import Conflict, InvalidInput
from c2m.kernel.ids import new_id
from c2m.kernel.problem_types import ProblemCode

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


@dataclass(frozen=True)
class KeyClaim:
    """A caller's Idempotency-Key (scoped to the caller) and the fingerprint of its request."""

    scope: str
    key: str
    fingerprint: str

    def __post_init__(self) -> None:
        validate_key(self.key)

    @property
    def lock_id(self) -> int:
        """A signed 64-bit number for PostgreSQL's advisory locks."""
        digest = hashlib.sha256(f"{self.scope}\0{self.key}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


Claimed = StoredResponse | Conflict | InvalidInput | None


def claim_keys(session: Session, claims: Sequence[KeyClaim]) -> list[Claimed]:
    """For each claim, in one round of statements: the stored response to replay, the error to
    give (key in use, or used for another request), or None when the key is new.

    Must be called inside a write transaction. On PostgreSQL a transaction-scoped advisory lock
    per key makes a concurrent request with the same key fail fast with 409 instead of waiting;
    on SQLite write transactions are already serialised, so a second request simply sees the
    first's committed answer.
    """
    results: list[Claimed] = [None] * len(claims)
    if not claims:
        return results
    if session.get_bind().dialect.name == "postgresql":
        acquired = session.scalars(
            text(
                "SELECT pg_try_advisory_xact_lock(k) "
                "FROM unnest(CAST(:ids AS bigint[])) WITH ORDINALITY AS t(k, n) ORDER BY n"
            ),
            {"ids": [claim.lock_id for claim in claims]},
        ).all()
        for index, got in enumerate(acquired):
            if not got:
                results[index] = Conflict(
                    "A request with this Idempotency-Key is still being processed; "
                    "retry in a moment to get its response.",
                    code=ProblemCode.IDEMPOTENCY_KEY_IN_USE,
                )
    record = IdempotencyRecord
    pairs = {(claim.scope, claim.key) for claim in claims}
    stored = {
        (row.scope, row.key): row
        for row in session.execute(
            select(
                record.scope, record.key, record.fingerprint, record.status_code, record.body
            ).where(tuple_(record.scope, record.key).in_(pairs))
        )
    }
    for index, claim in enumerate(claims):
        row = stored.get((claim.scope, claim.key))
        if results[index] is not None or row is None:
            continue
        if row.fingerprint != claim.fingerprint:
            results[index] = InvalidInput(
                "This Idempotency-Key was already used for a different request; "
                "use a new key for a new request.",
                code=ProblemCode.IDEMPOTENCY_KEY_REUSED,
            )
        else:
            results[index] = StoredResponse(row.status_code, row.body, replayed=True)
    return results


def record_responses(session: Session, answers: Sequence[tuple[KeyClaim, int, Any]]) -> None:
    """Store the responses to replay for claimed keys, in the transaction of their effects."""
    if not answers:
        return
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "scope": claim.scope,
            "key": claim.key,
            "fingerprint": claim.fingerprint,
            "status_code": status_code,
            "body": body,
            "created_at": now,
        }
        for claim, status_code, body in answers
    ]
    session.execute(insert(table_of(IdempotencyRecord)), rows)


def once(
    db: Database,
    claim: KeyClaim | None,
    operation: Callable[[Session], Any],
    status_code: int = 201,
) -> StoredResponse:
    """Run ``operation`` (returning the JSON body) in one write transaction, once per claimed
    key: a retry gets the stored response instead of a second effect. Every creating request
    honours its Idempotency-Key through here (batched order intake through ``claim_keys`` and
    ``record_responses``); without a claim it simply runs."""
    with db.write() as session:
        claimed = claim_keys(session, [claim])[0] if claim is not None else None
        if isinstance(claimed, Exception):
            raise claimed
        if claimed is not None:
            return claimed
        body = operation(session)
        if claim is not None:
            session.flush()  # the operation's own rows go first, then the record of them
            record_responses(session, [(claim, status_code, body)])
        return StoredResponse(status_code, body, replayed=False)


def purge_expired(session: Session, hours: int) -> int:
    """Forget keys older than ``hours`` (the contract keeps them at least 24 h)."""
    cutoff = utcnow() - timedelta(hours=hours)
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
