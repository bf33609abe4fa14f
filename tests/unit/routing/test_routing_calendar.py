"""Open hours: work is done only while the machine is open, after what is already queued."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from routing_support import BERLIN, LISBON, MUNICH, POTSDAM, job, machine

from c2m.engines.routing import (
    Calendar,
    Place,
    RoutingError,
    distance_km,
    hours_at,
    moment_at,
    ship_days,
)

EVENINGS = Calendar(((18.0, 23.0), (42.0, 47.0)))


def test_work_fills_open_hours_week_after_week() -> None:
    assert EVENINGS.finish(0.0, 3.0, 1000.0) == 21.0
    assert EVENINGS.finish(20.0, 5.0, 1000.0) == 44.0  # 3 h on Monday, 2 h on Tuesday
    assert EVENINGS.finish(0.0, 12.0, 1000.0) == 168.0 + 20.0  # next Monday
    assert EVENINGS.finish(0.0, 12.0, 100.0) is None


def test_free_windows_replace_the_week() -> None:
    slots = Calendar(windows=((10.0, 12.0), (30.0, 40.0)))
    assert slots.finish(0.0, 4.0, 100.0) == 32.0
    assert slots.finish(0.0, 20.0, 100.0) is None


def test_overlapping_spans_merge_and_bad_ones_are_refused() -> None:
    assert Calendar(((1.0, 5.0), (3.0, 8.0))).weekly == ((1.0, 8.0),)
    with pytest.raises(RoutingError, match="end after it starts"):
        Calendar(((5.0, 5.0),))
    with pytest.raises(RoutingError, match="within the week"):
        Calendar(((160.0, 170.0),))


def test_shipping_days_grow_with_the_great_circle_distance() -> None:
    assert round(distance_km(BERLIN, MUNICH)) == 504
    assert [ship_days(BERLIN, p) for p in (POTSDAM, MUNICH, LISBON)] == [1, 2, 4]


def test_contradictions_are_refused_in_a_sentence() -> None:
    with pytest.raises(RoutingError, match="due before it may start"):
        job(due=5.0, earliest_start=5.0)
    with pytest.raises(RoutingError, match="per hour, per cm³ or both"):
        machine(price_per_hour=0)
    with pytest.raises(RoutingError, match="not a place on Earth"):
        Place(91.0, 0.0)


def test_the_engine_time_is_hours_since_a_monday_midnight_utc() -> None:
    friday_evening = datetime(2026, 12, 4, 19, 30, tzinfo=timezone(timedelta(hours=1)))
    hours = hours_at(friday_evening)
    assert hours % 168 == 4 * 24 + 18.5  # Friday 18:30 UTC in the engine's week
    assert moment_at(hours) == friday_evening
    with pytest.raises(RoutingError, match="time zone"):
        hours_at(datetime(2026, 12, 4, 19, 30))
