"""Keyset paging: walk a list by the last item seen, not by a position that shifts under writes.

Every list is ordered by ``(created_at, id)``, ascending. Neither part ever changes for an item,
so an item cannot move during a walk: each one that exists when the walk starts is seen exactly
once, and items created later appear at the end. The cursor is that key, base64url-encoded, so
clients treat it as opaque and the server may change its content without breaking them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from c2m.kernel.errors import InvalidInput

BAD_CURSOR = "The cursor is not one this server gave out; start the walk again without it."
MAX_ID = 2**63 - 1  # the largest BIGINT: integer ids (ledger postings) fit in one

Ident = str | int


class Keyed(Protocol):
    """An item with a stable sort key: when it was created, and its id to break ties."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> Ident: ...


K = TypeVar("K", bound=Keyed)
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True, order=True)
class Key:
    at: datetime
    id: Ident

    @classmethod
    def of(cls, item: Keyed) -> Key:
        return cls(item.created_at.astimezone(UTC), item.id)

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.id]).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, cursor: str) -> Key:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            at, ident = json.loads(raw)
            moment = datetime.fromisoformat(at)
            if moment.tzinfo is None or not _well_formed(ident):
                raise ValueError(cursor)
            return cls(moment.astimezone(UTC), ident)
        except (binascii.Error, ValueError, TypeError, OverflowError):
            raise InvalidInput(BAD_CURSOR) from None

    def require(self, kind: type) -> None:
        """Refuse a cursor made for a list whose ids are of another kind (text or integer)."""
        if not isinstance(self.id, kind):
            raise InvalidInput(BAD_CURSOR)


def _well_formed(ident: object) -> bool:
    if isinstance(ident, str):
        return ident.isprintable() and len(ident) <= 64
    return type(ident) is int and 0 <= ident <= MAX_ID


@dataclass(frozen=True)
class Window:
    """One page asked for: after which key, how many, and only items changed since when."""

    limit: int
    after: Key | None = None
    changed_since: datetime | None = None
    offset: int = 0  # the old offset parameter, kept for one release


def select_page(
    query: Select[*Columns],
    window: Window,
    created: InstrumentedAttribute[datetime],
    ident: InstrumentedAttribute[str] | InstrumentedAttribute[int],
    changed: InstrumentedAttribute[datetime] | ColumnElement[datetime] | None = None,
) -> Select[*Columns]:
    """The query narrowed to one page, plus one row that tells whether a next page exists."""
    if window.after is not None:
        window.after.require(ident.type.python_type)
        at, last = window.after.at, window.after.id
        query = query.where(or_(created > at, and_(created == at, ident > last)))
    if window.changed_since is not None:
        query = query.where((changed if changed is not None else created) >= window.changed_since)
    return query.order_by(created, ident).offset(window.offset).limit(window.limit + 1)


def pick_page(items: Iterable[K], window: Window) -> list[K]:
    """The same page from a list already in memory (the short lists: tokens, members, ...)."""
    ordered = sorted(items, key=Key.of)
    if window.after is not None:
        after = window.after
        after.require(str)  # the short lists are all of rows with text ids
        ordered = [i for i in ordered if Key.of(i) > after]
    if window.changed_since is not None:
        since = window.changed_since
        ordered = [i for i in ordered if changed_at(i) >= since]
    return ordered[window.offset : window.offset + window.limit + 1]


def changed_at(item: Keyed) -> datetime:
    """When the item last changed: ``updated_at`` where the table keeps one, else its creation."""
    moment: datetime = getattr(item, "updated_at", None) or item.created_at
    return moment
