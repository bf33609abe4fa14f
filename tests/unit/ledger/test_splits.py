"""Largest-remainder splits: exact to the cent, never negative, never a cent off the ideal."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c2m.engines.splits import split

amounts = st.integers(min_value=0, max_value=10**15)
weights = st.lists(
    st.fractions(min_value=0, max_value=1000, max_denominator=10_000), min_size=1, max_size=8
).filter(lambda ws: sum(ws) > 0)


@given(amounts, weights)
def test_shares_sum_exactly_and_stay_within_a_cent_of_their_ideal(
    amount: int, parts: list[Fraction]
) -> None:
    shares = split(amount, parts)
    assert sum(shares) == amount
    assert all(share >= 0 for share in shares)
    whole = sum(parts)
    for share, part in zip(shares, parts, strict=True):
        assert abs(share - amount * part / whole) < 1


@given(amounts, weights)
def test_a_negative_amount_mirrors_the_positive_one(amount: int, parts: list[Fraction]) -> None:
    assert split(-amount, parts) == [-share for share in split(amount, parts)]


def test_left_over_cents_go_to_the_largest_remainders_then_the_earliest() -> None:
    assert split(100, [1, 1, 1]) == [34, 33, 33]
    assert split(1001, [Fraction(1, 10), Fraction(9, 10)]) == [100, 901]
    assert split(5, [Fraction(1, 3), Fraction(2, 3)]) == [2, 3]


@pytest.mark.parametrize("bad", [[], [0, 0], [1, -1]])
def test_weights_must_be_non_negative_and_not_all_zero(bad: list[int]) -> None:
    with pytest.raises(ValueError, match="weights"):
        split(10, bad)
