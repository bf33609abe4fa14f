"""What every command reading or writing the database does first."""

from __future__ import annotations

from c2m.cli.errors import fail
from c2m.settings import Settings


def require_schema(settings: Settings) -> None:
    """Every command using the database but ``db upgrade`` needs the newest schema."""
    from c2m.migrations import is_current

    if not is_current(settings.sqlalchemy_url):
        fail("The database is missing or its schema is not up to date; run `c2m db upgrade` first.")
