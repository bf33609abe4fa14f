"""Keyset paging in memory: a walk by cursor visits every item once, in key order, and the cursor
survives its trip through a URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c2m.kernel.errors import InvalidInput
from c2m.kernel.keyset import Key, Window, pick_page


@dataclass(frozen=True)
class Item:
    created_at: datetime
    id: str


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
items = st.lists(
    st.builds(Item, created_at=moments, id=st.text("0123456789abcdef", min_size=1, max_size=4)),
    unique_by=lambda item: item.id,
    max_size=60,
)


@given(items=items, limit=st.integers(min_value=1, max_value=7))
def test_a_walk_visits_every_item_once_in_key_order(items: list[Item], limit: int) -> None:
    seen: list[Item] = []
    after: Key | None = None
    while True:
        rows = pick_page(items, Window(limit, after))
        seen += rows[:limit]
        if len(rows) <= limit:
            break
        after = Key.decode(Key.of(rows[limit - 1]).encode())
    assert seen == sorted(items, key=Key.of)


@given(moment=moments, ident=st.text(min_size=1, max_size=40).filter(str.isprintable))
def test_a_cursor_decodes_to_the_key_it_was_made_from(moment: datetime, ident: str) -> None:
    key = Key(moment, ident)
    assert Key.decode(key.encode()) == key


@given(cursor=st.text(max_size=80))
def test_any_other_text_is_refused_or_read_as_a_key(cursor: str) -> None:
    try:
        key = Key.decode(cursor)
    except InvalidInput as refused:
        detail = refused.detail
    else:
        detail = "start the walk again" if key.at.tzinfo is UTC else "a key without a zone"
    assert "start the walk again" in detail


def test_garbage_is_refused() -> None:
    for cursor in ["", "!!", "bnVsbA", "WzEsIDJd"]:
        with pytest.raises(InvalidInput):
            Key.decode(cursor)
