"""Statement periods: a month or whole days, half-open; anything else is a sentence, not a 500."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from c2m.domains.ledger.periods import parse
from c2m.kernel.errors import InvalidInput


def test_a_month_ends_where_the_next_begins() -> None:
    december = parse("2026-12", None, None)
    assert (december.start, december.end) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert december.query == "period=2026-12"
    days = parse(None, "2026-02-27", "2026-03-01")
    assert days.end == datetime(2026, 3, 2, tzinfo=UTC)
    assert days.query == "from=2026-02-27&to=2026-03-01"


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2026-13", None, None),
        ("9999-12", None, None),
        ("december", None, None),
        ("2026-12", "2026-12-01", "2026-12-02"),
        (None, "2026-12-01", None),
        (None, "2026-12-02", "2026-12-01"),
        (None, "9999-12-30", "9999-12-31"),
        (None, "0001-01-01", "9999-12-30"),
    ],
)
def test_a_period_that_is_not_one_is_refused_with_a_sentence(
    period: str | None, start: str | None, end: str | None
) -> None:
    with pytest.raises(InvalidInput):
        parse(period, start, end)
