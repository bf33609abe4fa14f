"""Working calendars become the windows the planner must leave free."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from c2m.domains.planning.calendar import off_windows

HOUR = 3600
MONDAY_6 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # a Monday, 06:00 UTC


def test_no_calendar_means_always_available() -> None:
    assert off_windows(None, MONDAY_6) == []


def test_a_weekday_day_shift_leaves_nights_and_the_weekend_free_of_work() -> None:
    weekdays = {
        day: [{"start": "08:00", "end": "16:00"}] for day in ("mon", "tue", "wed", "thu", "fri")
    }
    windows = off_windows({"timezone": "UTC", "week": weekdays}, MONDAY_6, timedelta(days=7))
    assert windows[0] == (0, 2 * HOUR)  # until 08:00 on Monday
    assert windows[1] == (10 * HOUR, 26 * HOUR)  # Monday 16:00 to Tuesday 08:00
    friday_evening = (4 * 24 + 10) * HOUR
    assert windows[-1] == (friday_evening, 7 * 24 * HOUR)  # the weekend, to the horizon
    assert len(windows) == 6  # before Monday's shift, four nights, the weekend


def test_shifts_are_read_in_the_factory_time_zone() -> None:
    calendar = {"timezone": "Europe/Berlin", "week": {"mon": [{"start": "08:00", "end": "09:00"}]}}
    windows = off_windows(calendar, MONDAY_6, timedelta(days=1))
    # 08:00 in Berlin (UTC+1 in November) is 07:00 UTC: one hour after the origin.
    assert windows[:2] == [(0, HOUR), (2 * HOUR, 24 * HOUR)]
