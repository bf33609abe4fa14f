"""The query parameters and headers every API list shares: ``cursor``, ``limit``,
``updated_since``, and a ``Link: <...>; rel="next"`` header (RFC 8288) with the same cursor in
``X-Next-Cursor``. Bodies stay plain JSON arrays, so lists that existed before keep their shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import AwareDatetime, BeforeValidator

from c2m.kernel.errors import InvalidInput
from c2m.kernel.keyset import Key, Keyed, Window, pick_page

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")

K = TypeVar("K", bound=Keyed)
T = TypeVar("T")
Out = TypeVar("Out")

PAGED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "Link": {
                "description": 'The next page, `<url>; rel="next"` (RFC 8288); absent on the last',
                "schema": {"type": "string"},
            },
            "X-Next-Cursor": {
                "description": "The `cursor` of the next page; absent on the last",
                "schema": {"type": "string"},
            },
        }
    }
}


def next_page_headers(request: Request, **params: str) -> dict[str, str]:
    """The headers that point to the next page: this URL with ``params`` replacing their own."""
    url = request.url.remove_query_params("offset").include_query_params(**params)
    (cursor,) = params.values()
    return {"Link": f'<{url}>; rel="next"', "X-Next-Cursor": cursor}


@dataclass(frozen=True)
class Page:
    """One page asked for by a client, and where to write the link to the next one."""

    request: Request
    response: Response
    window: Window

    def answer(self, rows: Sequence[K], convert: Callable[[K], Out]) -> list[Out]:
        """The page's items, given the rows of ``keyset.select_page`` (one more than shown)."""
        return self.answer_by(rows, Key.of, convert)

    def answer_by(
        self, rows: Sequence[T], key: Callable[[T], Key], convert: Callable[[T], Out]
    ) -> list[Out]:
        """The same, for rows whose key columns have other names (``key`` reads them)."""
        shown = rows[: self.window.limit]
        if len(rows) > self.window.limit:
            cursor = key(shown[-1]).encode()
            self.response.headers.update(next_page_headers(self.request, cursor=cursor))
        return [convert(row) for row in shown]

    def pick(self, items: Iterable[K], convert: Callable[[K], Out]) -> list[Out]:
        """The page out of a short list the service returned whole."""
        return self.answer(pick_page(items, self.window), convert)


def _rfc3339(value: object) -> object:
    """Only what the OpenAPI document promises, not Unix seconds or a date without a time."""
    if not (isinstance(value, str) and RFC3339.fullmatch(value)):
        raise ValueError("must be a time with its zone, like 2026-01-31T12:00:00Z")
    return value


def _since(moment: datetime | None) -> datetime | None:
    try:
        return moment.astimezone(UTC) if moment is not None else None
    except OverflowError:
        raise InvalidInput("updated_since is outside the calendar c2m keeps.") from None


async def page_of(
    request: Request,
    response: Response,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="Where to go on: the `X-Next-Cursor` of the last page"),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (default 50, at most 200)")
    ] = DEFAULT_LIMIT,
    updated_since: Annotated[
        AwareDatetime | None,
        BeforeValidator(_rfc3339),
        Query(description="Only items changed at or after this RFC 3339 time, zone included"),
    ] = None,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=1_000_000,
            deprecated=True,
            description="Items to skip; use `cursor` (kept for one release)",
        ),
    ] = 0,
) -> Page:
    after = Key.decode(cursor) if cursor is not None else None
    window = Window(limit, after, _since(updated_since), offset)
    return Page(request, response, window)


Paging = Annotated[Page, Depends(page_of)]
