"""Database engine and units of work, identical for SQLite and PostgreSQL.

SQLite gets WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` for write transactions, so
concurrent writers queue instead of failing half-way; readers never block.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import (
    DateTime,
    Engine,
    Enum,
    MetaData,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING)

    def column_values(self) -> dict[str, Any]:
        """The row's column values by name, e.g. to build an output model with extra fields."""
        return {column.key: getattr(self, column.key) for column in self.__table__.columns}


def table_of(model: type[Base]) -> Table:
    """A mapped class's Core table, for many-row statements without the ORM's per-row work."""
    return cast(Table, model.__table__)


def value_enum(cls: type[enum.Enum]) -> Enum:
    """An enum column storing the members' values as plain strings (no database enum type, so
    adding a member needs no migration of the type)."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Many rows (tuples in ``columns``' order) into ``table`` in the session's transaction,
    handed to the driver without SQLAlchemy's per-row parameter handling, which costs more
    than the insert itself on hot paths: on PostgreSQL (psycopg) a binary COPY, or inside a
    :func:`pipelined` block (which cannot COPY) one INSERT of the columns as arrays; one
    executemany elsewhere. Values go through the columns' own bind processors first, so they
    are stored as a Core insert would store them. Nothing is returned (no generated keys), and
    SQLAlchemy's statement events do not see it."""
    if not rows:
        return
    connection = session.connection()
    dbapi = connection.connection
    driver = dbapi.driver_connection
    assert driver is not None, "the session's connection is open"
    mode: _Mode = "many"
    if connection.dialect.driver == "psycopg":
        mode = "arrays" if driver.pgconn.pipeline_status else "copy"
    key = (table, tuple(columns), connection.dialect, mode)
    plan = _PLANS.get(key) or _PLANS.setdefault(key, _insert_plan(*key, driver))
    if plan.processors:  # column by column: few columns have a processor, every row does
        values = list(zip(*rows, strict=True))
        for index, process in plan.processors:
            values[index] = tuple(map(process, values[index]))
        rows = list(zip(*values, strict=True))
    if plan.copy is not None:
        with driver.cursor() as cursor, cursor.copy(plan.copy) as copy:
            copy.set_types(plan.copy_types)
            for row in rows:
                copy.write_row(row)
        return
    if plan.arrays is not None:
        with driver.cursor() as cursor:
            cursor.execute(plan.arrays, [list(column) for column in zip(*rows, strict=True)])
        return
    params: Sequence[Any] = rows
    if plan.order is not None:
        params = [tuple(row[i] for i in plan.order) for row in rows]
    elif not plan.positional:
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    cursor = dbapi.cursor()
    try:
        cursor.executemany(plan.sql, params)
    finally:
        cursor.close()


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """Statements of the block sent to PostgreSQL (psycopg) together and answered together:
    one round trip instead of one each. Only statements whose results nobody reads (inserts,
    updates, SET) belong inside; an error aborts the rest and raises when the block ends, as
    SQLAlchemy's own exception (IntegrityError...). Elsewhere a plain block."""
    connection = session.connection()
    if connection.dialect.driver != "psycopg":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None, "the session's connection is open"
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.pipeline():
            yield
    except dbapi_error as error:
        raise DBAPIError.instance(None, None, error, dbapi_error) from error


@dataclass(frozen=True, slots=True)
class _InsertPlan:
    """How :func:`insert_rows` writes into one table's columns on one dialect."""

    sql: str
    positional: bool
    order: tuple[int, ...] | None  # the driver's parameter order, if not ``columns``'
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    copy: str | None = None  # the COPY statement, where the driver has one...
    copy_types: tuple[int, ...] = ()  # ...and the columns' types (oids) in the database
    arrays: str | None = None  # or the INSERT taking each column as an array


_Mode = Literal["copy", "arrays", "many"]


_PLANS: dict[tuple[Table, tuple[str, ...], Dialect, _Mode], _InsertPlan] = {}


def _insert_plan(
    table: Table, columns: tuple[str, ...], dialect: Dialect, mode: _Mode, driver: Any
) -> _InsertPlan:
    compiled = (
        insert(table).values({name: bindparam(name) for name in columns}).compile(dialect=dialect)
    )
    order = None
    if compiled.positional:
        names = tuple(compiled.positiontup or ())
        if names != columns:
            order = tuple(columns.index(name) for name in names)
    processors = []
    for index, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors.append((index, process))
    plan = _InsertPlan(compiled.string, compiled.positional, order, tuple(processors))
    if mode == "many":
        return plan
    quote = dialect.identifier_preparer
    names_sql = ", ".join(quote.quote(name) for name in columns)
    target = quote.format_table(table)
    if mode == "arrays":
        arrays = ", ".join(f"%s::{table.c[name].type.compile(dialect)}[]" for name in columns)
        # names and types from the table's metadata, quoted by the dialect: no outside input
        insert_arrays = f"INSERT INTO {target} ({names_sql}) SELECT * FROM unnest({arrays})"  # noqa: S608
        return replace(plan, arrays=insert_arrays)
    # A binary COPY needs each column's exact type: asked of the database, not guessed.
    with driver.cursor() as cursor:
        # names from the table's metadata, quoted by the dialect: no outside input
        cursor.execute(f"SELECT {names_sql} FROM {target} WHERE false")  # noqa: S608
        types = tuple(column.type_code for column in cursor.description)
    copy = f"COPY {target} ({names_sql}) FROM STDIN (FORMAT BINARY)"
    return replace(plan, copy=copy, copy_types=types)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored and returned as aware UTC (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use kernel.clock.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reports read many rows by index (a year of orders for the scorecard); mapped pages
        # are shared by every connection and skip a copy per page read.
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The engine plus read and write units of work; entry points own the transactions."""

    def __init__(self, url: str, *, echo: bool = False, prepared_statements: bool = True) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        # Enough pooled connections for the web thread pool (40), so none is opened per request.
        kwargs.update(pool_size=20, max_overflow=30)
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
            if not prepared_statements:
                # A pooler in transaction mode hands each transaction another server session,
                # where a statement prepared in an earlier one is missing or already taken.
                kwargs["connect_args"] = {"prepare_threshold": None}
        self.engine = create_engine(url, **kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._write_engine: Engine = self.engine
        if self.is_sqlite:
            _configure_sqlite(self.engine)
            self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self.after_commit: list[Callable[[dict[str, Any]], None]] = []
        # SQLite has one writer at a time: writers of this process queue on a lock and are woken
        # the moment it frees, instead of sleeping in SQLite's busy handler (up to 100 ms a try).
        self._writer_lock = threading.Lock() if self.is_sqlite else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any exception.

        After a commit the ``after_commit`` hooks see the session's ``info`` (e.g. to wake the
        outbox relay at once instead of at its next poll).
        """
        queue = self._writer_lock if self._writer_lock is not None else nullcontext()
        with queue, Session(self._write_engine, expire_on_commit=False) as session, session.begin():
            yield session
        for hook in self.after_commit:
            hook(session.info)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (never takes SQLite's write lock)."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def ping(self) -> None:
        """Fail fast with the driver's message when the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
