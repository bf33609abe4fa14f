"""insert_rows (COPY on PostgreSQL, or arrays inside a pipeline; one executemany on SQLite)
stores what a Core insert stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import insert, text

from c2m.kernel.db import Database, insert_rows, pipelined
from c2m.kernel.outbox import OutboxMessage

OUTBOX = OutboxMessage.metadata.tables[OutboxMessage.__tablename__]


def test_rows_handed_to_the_driver_are_stored_as_a_core_insert_stores_them(
    database_url: str,
) -> None:
    at = datetime(2026, 12, 6, 21, 8, 5, 123456, tzinfo=UTC)
    # Not the table's column order, a JSON null, nested JSON, a NULL and two time zones.
    columns = ("published_at", "payload", "topic", "created_at")
    rows = [
        (None, {"a": [1, 2.5, "x"], "b": {"c": None}}, "one", at),
        (at, None, "two", at.astimezone(timezone(timedelta(hours=2)))),
        (at + timedelta(days=1), {}, "three", at),
    ]
    db = Database(database_url)
    try:
        with db.write() as session:
            session.execute(insert(OUTBOX), [dict(zip(columns, row, strict=True)) for row in rows])
            insert_rows(session, OUTBOX, columns, rows)
            insert_rows(session, OUTBOX, columns, [])  # nothing to do
            with pipelined(session):
                insert_rows(session, OUTBOX, columns, rows)
        with db.read() as session:
            query = "SELECT topic, payload, created_at, published_at FROM outbox ORDER BY id"
            stored = [tuple(row) for row in session.execute(text(query))]
    finally:
        db.dispose()
    assert len(stored) == 3 * len(rows)
    assert stored[len(rows) : 2 * len(rows)] == stored[: len(rows)]
    assert stored[2 * len(rows) :] == stored[: len(rows)]
    assert [row[0] for row in stored[: len(rows)]] == ["one", "two", "three"]
