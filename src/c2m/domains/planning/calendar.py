"""A machine's working calendar as the times it may not be planned, for the scheduling engine.

Calendars are weekly shifts in the factory's time zone (``domains/factory/schemas.Calendar``);
the planner needs the complement, as [start, end) seconds from the plan's origin, up to a horizon
(beyond it the machine counts as available: the plan is redone long before).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON = timedelta(days=14)


def off_windows(
    calendar: dict[str, Any] | None, origin: datetime, horizon: timedelta = HORIZON
) -> list[tuple[int, int]]:
    """Seconds from ``origin`` during which the calendar has no shift; none for no calendar."""
    if calendar is None:
        return []
    zone = ZoneInfo(calendar.get("timezone", "UTC"))
    end = origin + horizon
    shifts = sorted(_shifts(calendar.get("week", {}), zone, origin, end))
    windows: list[tuple[int, int]] = []
    cursor = origin
    for start, stop in shifts:
        if start > cursor:
            windows.append((_seconds(cursor, origin), _seconds(min(start, end), origin)))
        cursor = max(cursor, stop)
        if cursor >= end:
            break
    if cursor < end:
        windows.append((_seconds(cursor, origin), _seconds(end, origin)))
    return [(start, stop) for start, stop in windows if stop > start]


def _shifts(
    week: dict[str, list[dict[str, str]]], zone: ZoneInfo, origin: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    out = []
    day: date = origin.astimezone(zone).date() - timedelta(days=1)
    while datetime.combine(day, time(0), zone) < end:
        for shift in week.get(WEEKDAYS[day.weekday()], []):
            start = datetime.combine(day, time.fromisoformat(shift["start"]), zone)
            stop = datetime.combine(day, time.fromisoformat(shift["end"]), zone)
            if stop > origin and start < end:
                out.append((max(start, origin), min(stop, end)))
        day += timedelta(days=1)
    return out


def _seconds(moment: datetime, origin: datetime) -> int:
    return round((moment - origin).total_seconds())
