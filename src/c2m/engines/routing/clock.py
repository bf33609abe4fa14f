"""The engine's time: hours since a Monday 00:00 UTC, so a weekly calendar is the time modulo
168 and the engine never handles time zones; the makers' domain converts at its edge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from c2m.engines.routing.errors import RoutingError

REFERENCE = datetime(2024, 1, 1, tzinfo=UTC)
"""A Monday, 00:00 UTC: hour 0 of the engine's time."""


def hours_at(moment: datetime) -> float:
    """The engine's time of an aware datetime."""
    if moment.tzinfo is None:
        raise RoutingError("give the time with its time zone (an aware datetime)")
    return (moment - REFERENCE) / timedelta(hours=1)


def moment_at(hours: float) -> datetime:
    """The UTC datetime of an engine time."""
    return REFERENCE + timedelta(hours=hours)
