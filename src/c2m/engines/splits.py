"""Splitting an amount of minor units (cents) into shares that add up to it exactly.

Largest remainder (Hamilton's method): every share gets the whole cents of its ideal value, and
the cents left over go one each to the shares with the largest fractions. So the shares always
sum to the amount, none differs from its ideal by a cent or more, and none is negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

Weight = Fraction | int


def split(amount: int, weights: Sequence[Weight]) -> list[int]:
    """``amount`` divided in proportion to ``weights`` (non-negative, not all zero).

    Ties for a left-over cent go to the earlier share, so the result is deterministic. A
    negative amount is split as its opposite and negated, so a reversal mirrors its original.
    """
    if amount < 0:
        return [-share for share in split(-amount, weights)]
    parts = [Fraction(weight) for weight in weights]
    if any(part < 0 for part in parts):
        raise ValueError("split weights cannot be negative")
    whole = sum(parts, Fraction(0))
    if whole == 0:
        raise ValueError("split weights cannot all be zero")
    ideals = [amount * part / whole for part in parts]
    shares = [int(ideal) for ideal in ideals]  # floor: the ideals are non-negative
    left = amount - sum(shares)
    by_fraction = sorted(range(len(ideals)), key=lambda i: (-(ideals[i] - shares[i]), i))
    for index in by_fraction[:left]:
        shares[index] += 1
    return shares
