"""The configured database for a one-off command: settings read, schema checked, closed after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from c2m.bootstrap import configure, open_database
from c2m.cli.errors import fail
from c2m.kernel.db import Database
from c2m.settings import Settings


def require_schema(settings: Settings) -> None:
    """Every command using the database but ``db upgrade`` needs the newest schema."""
    from c2m.migrations import is_current

    if not is_current(settings.sqlalchemy_url):
        fail("The database is missing or its schema is not up to date; run `c2m db upgrade` first.")


@contextmanager
def command_database(settings: Settings | None = None) -> Iterator[Database]:
    settings = settings or configure()
    require_schema(settings)
    db = open_database(settings)
    try:
        yield db
    finally:
        db.dispose()
