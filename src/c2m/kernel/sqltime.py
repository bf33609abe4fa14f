"""Calendar arithmetic inside a query, the same on SQLite and PostgreSQL, so reports group a
year by month in one pass instead of one query per month.

SQLite keeps a timestamp as UTC text (``kernel.db.UTCDateTime``); PostgreSQL as ``timestamptz``,
read here in UTC whatever the session's time zone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Float, String


class month_of(FunctionElement[str]):
    """The UTC calendar month of a timestamp as ``YYYY-MM`` text (sorts as the months do)."""

    type = String()
    name = "month_of"
    inherit_cache = True


class days_between(FunctionElement[float]):
    """``days_between(later, earlier)``: the time from one timestamp to the other, in days."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(month_of)
def _month_postgresql(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    # UTCDateTime's text always starts with the UTC month: cutting it costs half of strftime.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


@compiles(days_between)
def _days_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"
