"""Files carry no units. Guess millimetres unless the size says otherwise, and say how sure."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Unit(enum.StrEnum):
    MM = "mm"
    CM = "cm"
    M = "m"
    INCH = "in"


TO_MM = {Unit.MM: 1.0, Unit.CM: 10.0, Unit.M: 1000.0, Unit.INCH: 25.4}
_INCH_STEP = 1 / 16  # fractional-inch stock and drawings
_INCH_TOLERANCE = 0.002


@dataclass(frozen=True, slots=True)
class UnitGuess:
    unit: Unit
    confidence: float
    needs_confirmation: bool
    reason: str


def guess_unit(size: Iterable[float]) -> UnitGuess:
    """From the bounding-box size in file units: a part under 1 unit is almost surely metres;
    small dimensions that are all 1/16-inch fractions (not whole numbers) look like inches.
    Plain floats, not numpy: the web tier names :class:`Unit` without loading numpy."""
    sides = [float(side) for side in size]
    largest = max(sides)
    if largest < 1.0:
        return UnitGuess(Unit.M, 0.7, True, f"largest dimension {largest:g} would be under 1 mm")
    fractional = all(
        abs(side / _INCH_STEP - round(side / _INCH_STEP)) < _INCH_TOLERANCE / _INCH_STEP
        for side in sides
    )
    whole = all(abs(side - round(side)) < 1e-4 for side in sides)
    if largest <= 48 and fractional and not whole:
        return UnitGuess(
            Unit.INCH, 0.6, True, "every dimension is a 1/16-inch fraction of a small part"
        )
    if largest < 10:
        return UnitGuess(Unit.MM, 0.5, True, f"a {largest:g} mm part is unusually small")
    return UnitGuess(Unit.MM, 0.9, False, "dimensions are plausible in millimetres")
