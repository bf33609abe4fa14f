"""Alembic migrations, packaged with c2m so ``c2m db upgrade`` works from an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Alembic loads on use: a web process asks only which revision it is at
    from alembic.config import Config
    from sqlalchemy import Engine

HERE = Path(__file__).parent


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def is_current(url: str) -> bool:
    """Whether the database at ``url`` is at the newest schema revision this code knows, or at
    one this code has never heard of: the next release's, during a rolling deploy (its
    migrations only add, see docs/deploy.md). A schema that is behind is not current."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return False  # asking SQLite would create an empty file (or fail on a missing folder)
    engine = create_engine(url)
    try:
        return schema_behind(engine) is None
    finally:
        engine.dispose()


@cache
def head() -> str | None:
    """The newest revision this c2m knows (read once: the scripts do not change while it runs)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@cache
def known() -> frozenset[str]:
    """Every revision this c2m knows; a database at another one runs a newer release."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(script.revision for script in scripts.walk_revisions())


def schema_behind(engine: Engine) -> str | None:
    """``None`` if the database is at :func:`head` or ahead of it (a newer release migrated it
    first, see docs/deploy.md), else a sentence saying where it is."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head() or (current is not None and current not in known()):
        return None
    found = f"at revision {current}" if current else "not migrated"
    return f"the database schema is {found}, not {head()}: run `c2m db upgrade`"
