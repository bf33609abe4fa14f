"""Alembic environment: runs migrations with c2m's own engine set-up (SQLite pragmas included)."""

from __future__ import annotations

from alembic import context

from c2m.bootstrap import metadata
from c2m.kernel.db import Database

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "alembic_config() sets the database URL"
database = Database(url)

with database.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=database.is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
database.dispose()
