"""Energy from a machine's power readings: the trapezoid rule over a time window.

Power is sampled (``power_kw`` in the machines' telemetry), so between two readings it is taken
to change linearly, and at a window's edge it is interpolated from the readings on either side
(held at the nearest reading when there is none beyond). A window with no reading inside or
around it was not measured: None, never a guess.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Reading:
    """Power ``kw`` drawn at ``at`` (seconds on any clock shared with the windows)."""

    at: float
    kw: float


def energy_kwh(readings: Sequence[Reading], start: float, end: float) -> float | None:
    """kWh drawn in ``[start, end]`` from readings sorted by time; None without any reading in
    the window or on both sides of it."""
    if end < start:
        raise ValueError("a window cannot end before it starts")
    times = [r.at for r in readings]
    first, last = bisect_left(times, start), bisect_right(times, end)
    inside = list(readings[first:last])
    before = readings[first - 1] if first > 0 else None
    after = readings[last] if last < len(readings) else None
    if not inside and (before is None or after is None):
        return None
    points = [
        Reading(start, _at(start, before, inside[0] if inside else after)),
        *inside,
        Reading(end, _at(end, after, inside[-1] if inside else before)),
    ]
    kwh_seconds = sum((b.at - a.at) * (a.kw + b.kw) / 2 for a, b in pairwise(points))
    return kwh_seconds / SECONDS_PER_HOUR


def _at(when: float, outside: Reading | None, nearest: Reading | None) -> float:
    """Power at a window's edge: on the line between the reading beyond the edge and the
    nearest one within (or across) the window, or the nearest reading's when only it exists."""
    assert nearest is not None
    if outside is None or outside.at == nearest.at:
        return nearest.kw
    share = (when - outside.at) / (nearest.at - outside.at)
    return outside.kw + share * (nearest.kw - outside.kw)
