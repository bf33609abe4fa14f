"""Probation as the router reads it: who is limited, and what a limit admits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c2m.domains.makers.probation import (
    JOBS,
    NO_LIMITS,
    PROBATION_LIMITS,
    MakerStatus,
    limits_of,
    status_of,
)
from c2m.domains.makers.regions import check_country, countries
from c2m.kernel.money import format_amount, to_decimal, to_minor

sides = st.floats(min_value=0.1, max_value=2000, allow_nan=False)
sizes = st.tuples(sides, sides, sides)
hours = st.floats(min_value=0, max_value=200, allow_nan=False)


@given(st.booleans(), st.integers(min_value=0, max_value=1000))
def test_only_a_maker_with_enough_jobs_and_no_suspension_is_unlimited(
    suspended: bool, done: int
) -> None:
    status = status_of(suspended, done)
    assert (status is MakerStatus.ACTIVE) == (not suspended and done >= JOBS)
    assert (limits_of(status) == NO_LIMITS) == (status is MakerStatus.ACTIVE)


@given(sizes, hours, st.floats(min_value=0, max_value=1))
def test_a_smaller_quicker_part_is_admitted_whenever_a_bigger_one_is(
    size: tuple[float, float, float], machine_hours: float, shrink: float
) -> None:
    smaller = (size[0] * shrink, size[1] * shrink, size[2] * shrink)
    if PROBATION_LIMITS.admits(size, machine_hours):
        assert PROBATION_LIMITS.admits(smaller, machine_hours * shrink)
    assert NO_LIMITS.admits(size, machine_hours)


def test_small_means_150_mm_on_every_side_and_4_machine_hours() -> None:
    assert PROBATION_LIMITS.admits((150, 150, 150), 4)
    assert not PROBATION_LIMITS.admits((150.5, 10, 10), 1)
    assert not PROBATION_LIMITS.admits((10, 10, 10), 4.1)


def test_countries_are_iso_codes_without_groupings() -> None:
    assert countries()["DE"] == "Germany"
    assert check_country("JP") == "JP"
    for grouping in ("EU", "UN", "ZZ", "XA"):
        with pytest.raises(ValueError, match="ISO 3166-1"):
            check_country(grouping)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["EUR", "JPY", "KWD"]))
def test_a_typed_price_comes_back_as_it_is_shown(amount: int, currency: str) -> None:
    assert to_minor(to_decimal(amount, currency), currency) == amount


def test_a_price_with_too_many_decimals_is_refused() -> None:
    assert to_minor(Decimal("1.5"), "EUR") == 150
    assert format_amount(to_minor(Decimal("1.5"), "EUR"), "EUR") == "€1.50"
    with pytest.raises(ValueError, match="at most 0 decimals"):
        to_minor(Decimal("1.5"), "JPY")
    with pytest.raises(ValueError, match="not an amount"):
        to_minor(Decimal("NaN"), "EUR")
