"""Energy from power readings by the trapezoid rule, against hand computations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c2m.engines.footprint import Reading, energy_kwh

powers = st.floats(0, 500, allow_nan=False)


@given(powers, st.floats(1, 100_000, allow_nan=False), st.integers(2, 50))
def test_a_constant_power_over_a_window_is_power_times_time(
    kw: float, seconds: float, count: int
) -> None:
    readings = [Reading(seconds * i / (count - 1), kw) for i in range(count)]
    assert energy_kwh(readings, 0, seconds) == pytest.approx(kw * seconds / 3600, abs=1e-9)


def test_a_ramp_and_a_step_against_a_hand_computation() -> None:
    # 0 kW at t=0 rising to 6 kW at t=600 s, then 6 kW to t=1200 s, dropping to 0 at 1800 s:
    # 0.5 * 6 kW * 600 s + 6 kW * 600 s + 0.5 * 6 kW * 600 s = 7200 kWs = 2 kWh.
    readings = [Reading(0, 0), Reading(600, 6), Reading(1200, 6), Reading(1800, 0)]
    assert energy_kwh(readings, 0, 1800) == pytest.approx(2.0)
    # From 300 s (3 kW, interpolated) to 900 s (6 kW): 0.5*(3+6)*300 + 6*300 = 3150 kWs.
    assert energy_kwh(readings, 300, 900) == pytest.approx(3150 / 3600)


def test_a_window_between_two_readings_is_interpolated() -> None:
    readings = [Reading(0, 2), Reading(100, 4)]
    # 2.5 kW at 25 s, 3.5 kW at 75 s: 3 kW on average for 50 s.
    assert energy_kwh(readings, 25, 75) == pytest.approx(3 * 50 / 3600)


def test_readings_on_one_side_only_hold_the_nearest_within_the_window() -> None:
    assert energy_kwh([Reading(10, 5), Reading(20, 5)], 0, 30) == pytest.approx(5 * 30 / 3600)


def test_without_readings_the_energy_was_not_measured() -> None:
    assert energy_kwh([], 0, 60) is None
    assert energy_kwh([Reading(-100, 5)], 0, 60) is None  # nothing in or after the window
    assert energy_kwh([Reading(100, 5)], 0, 60) is None  # nothing in or before it


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end before it starts"):
        energy_kwh([Reading(0, 1)], 10, 5)
