"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

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
