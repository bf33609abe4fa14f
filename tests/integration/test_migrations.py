"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from c2m.bootstrap import metadata
from c2m.migrations import is_current, upgrade


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == [], "run alembic autogenerate: the models and migrations differ"
    assert is_current(database_url)
    upgrade(database_url)  # running it again changes nothing and does not fail


def test_a_schema_behind_is_refused_and_one_from_the_next_release_is_not(database_url: str) -> None:
    """A rolling deploy migrates first, so old processes meet a newer schema for a while."""
    engine = create_engine(database_url)
    try:
        for revision, current in (("0008", False), ("0099_next_release", True)):
            with engine.begin() as conn:
                head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
                conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
            try:
                assert is_current(database_url) is current, revision
            finally:
                with engine.begin() as conn:
                    conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    finally:
        engine.dispose()


AT = "'2026-12-07 10:00:00'"
BEFORE_0026 = (
    "INSERT INTO orders (id, customer_id, enterprise_id, state, currency, total, captured, "
    f"refunded, last_seq, progress, version, created_at, updated_at) VALUES ('o1', 'u1', 'e1', "
    f"'paid', 'EUR', 100, 100, 0, 2, 10, 2, {AT}, {AT})",
    "INSERT INTO order_lines (id, order_id, position, product_id, product_name, quantity, "
    "unit_price, configuration) VALUES ('l1', 'o1', 0, 'p1', 'Stool', 3, 30, '{}')",
    "INSERT INTO factories (id, enterprise_id, code, name, currency, created_at) "
    f"VALUES ('f1', 'e1', 'f1', 'Plant', 'EUR', {AT})",
    "INSERT INTO work_orders (id, order_id, line_id, factory_id, product_name, quantity, rush, "
    f"done, created_at) VALUES ('w1', 'o1', 'l1', 'f1', 'Stool', 3, 0, 0, {AT})",
)


def test_existing_work_orders_keep_their_line_when_work_orders_serve_lines(
    tmp_path: Path,
) -> None:
    """0026: every work order made before it makes the pieces of its one line, as before."""
    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    upgrade(url, "0025_outgoing_notifications")
    engine = create_engine(url)  # no foreign keys enforced: the rows the work order names only
    try:
        with engine.begin() as conn:
            for row in BEFORE_0026:
                conn.execute(text(row))
        upgrade(url)
        with engine.connect() as conn:
            lines = conn.execute(text("SELECT * FROM work_order_lines")).mappings().all()
            waits = conn.execute(text("SELECT awaits_planner FROM work_orders")).scalar_one()
    finally:
        engine.dispose()
    assert [dict(line) for line in lines] == [
        {"line_id": "l1", "work_order_id": "w1", "order_id": "o1", "position": 0, "quantity": 3}
    ]
    assert not waits  # the planner opened it
