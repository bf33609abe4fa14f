"""Months and days counted inside a query read a timestamp in UTC on SQLite and on PostgreSQL,
whatever time zone the PostgreSQL session is in: a report grouped by month puts the last
instant of January in January."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, MetaData, Table, func, insert, literal, select, text

from c2m.kernel.db import Database, UTCDateTime
from c2m.kernel.sqltime import days_between, month_of

JANUARY_ENDS = datetime(2025, 1, 31, 23, 59, 59, 999_999, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Database:
    return Database(database_url)


def _stamp(at: datetime) -> object:
    return literal(at, UTCDateTime())


def test_the_month_and_the_days_between_are_counted_in_utc(db: Database) -> None:
    with db.read() as session:
        if db.engine.dialect.name == "postgresql":  # the date line: it is February there
            session.execute(text("SET LOCAL TIME ZONE 'Pacific/Kiritimati'"))
        months = session.execute(
            select(
                month_of(_stamp(JANUARY_ENDS)),
                month_of(_stamp(JANUARY_ENDS + timedelta(microseconds=1))),
                month_of(_stamp(datetime(1999, 12, 31, 12, tzinfo=UTC))),
            )
        ).one()
        days = session.scalar(
            select(days_between(_stamp(JANUARY_ENDS), _stamp(JANUARY_ENDS - timedelta(hours=36))))
        )
    assert tuple(months) == ("2025-01", "2025-02", "1999-12")
    assert days == pytest.approx(1.5)


def test_stored_rows_group_by_their_month(db: Database) -> None:
    """One grouped query over a stored column, as the scorecard reads a year."""
    probe = Table("sqltime_probe", MetaData(), Column("at", UTCDateTime()))
    probe.create(db.engine)
    try:
        with db.write() as session:
            session.execute(
                insert(probe),
                [{"at": JANUARY_ENDS + timedelta(microseconds=n)} for n in (0, 1, 86_400_000_000)],
            )
        month = month_of(probe.c.at)
        with db.read() as session:
            if db.engine.dialect.name == "postgresql":
                session.execute(text("SET LOCAL TIME ZONE 'America/Los_Angeles'"))
            query = select(month, func.count()).group_by(month).order_by(month)
            counted = [tuple(row) for row in session.execute(query)]
    finally:
        probe.drop(db.engine)
    assert counted == [("2025-01", 1), ("2025-02", 2)]
