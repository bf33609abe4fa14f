"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

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
