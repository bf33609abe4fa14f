"""CLI failures: a message and exit code 2, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from c2m.kernel.errors import C2MError
from c2m.settings import SettingsError

P = ParamSpec("P")
R = TypeVar("R")
err = Console(stderr=True)


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/bold red] {message}", soft_wrap=True)  # one line to grep
    raise typer.Exit(2)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into a message and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (C2MError, SettingsError) as exc:
            fail(str(exc))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0]
            fail(f"Cannot use the database (C2M_DATABASE_URL): {reason}")

    return wrapper
