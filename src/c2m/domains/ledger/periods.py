"""Periods statements cover: a calendar month by default, or any span of whole days (UTC).

A period is half-open, ``[start, end)``, so consecutive months neither overlap nor leave a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from c2m.kernel.clock import utcnow
from c2m.kernel.errors import InvalidInput

MAX_DAYS = 3660  # ten years: long enough for any report, short enough to stay cheap


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str
    month: str | None = None  # YYYY-MM when the period is a calendar month

    @property
    def query(self) -> str:
        """The same period as URL parameters, for links to the postings behind a figure."""
        if self.month:
            return f"period={self.month}"
        first, last = self.start.date(), (self.end - timedelta(days=1)).date()
        return f"from={first.isoformat()}&to={last.isoformat()}"


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def month(text: str) -> Period:
    """The calendar month ``YYYY-MM``; a clear 422 for anything else."""
    try:
        first = datetime.strptime(text, "%Y-%m").date()
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    except ValueError as exc:  # not a month, or the last one the calendar has
        raise InvalidInput(f"A period is a month written YYYY-MM, not {text[:20]!r}.") from exc
    label, month = first.strftime("%B %Y"), first.strftime("%Y-%m")
    return Period(_midnight(first), _midnight(following), label, month)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{name!r} is a day written YYYY-MM-DD, not {text[:20]!r}.") from exc


def parse(period: str | None, start: str | None, end: str | None) -> Period:
    """``period=2026-12``, or ``from``/``to`` (both days included), or this month."""
    if start or end:
        if period:
            raise InvalidInput("Give either a period (YYYY-MM) or from/to days, not both.")
        if not (start and end):
            raise InvalidInput("A span of days needs both 'from' and 'to'.")
        first, last = _day(start, "from"), _day(end, "to")
        if not 0 <= (last - first).days < MAX_DAYS:
            raise InvalidInput(f"'to' must be on or after 'from', and at most {MAX_DAYS} days on.")
        if last == date.max:
            raise InvalidInput("'to' must be a day before the end of the calendar.")
        label = f"{first.isoformat()} to {last.isoformat()}"
        return Period(_midnight(first), _midnight(last + timedelta(days=1)), label)
    return month(period or utcnow().strftime("%Y-%m"))


def month_before(period: Period) -> Period:
    """The calendar month before the one ``period`` starts in."""
    return month((period.start - timedelta(days=1)).strftime("%Y-%m"))
