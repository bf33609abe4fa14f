"""When a machine works: weekly open hours (a home printer runs evenings and weekends) or
explicit free windows (a workshop that publishes its free slots), and when booked work ends."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from c2m.engines.routing.errors import RoutingError

WEEK = 168.0
Span = tuple[float, float]


def _merged(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            raise RoutingError(f"an open span must end after it starts, not ({start}, {end})")
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Open time as ``weekly`` spans in hours of the week (0 = Monday 00:00, 168 = the next),
    or, when ``windows`` is given, exactly those absolute free spans (the week is then unused).
    The default is open around the clock."""

    weekly: tuple[Span, ...] = ((0.0, WEEK),)
    windows: tuple[Span, ...] | None = None

    def __post_init__(self) -> None:
        if any(s < 0 or e > WEEK for s, e in self.weekly):
            raise RoutingError("weekly spans lie within the week, 0 to 168 hours")
        object.__setattr__(self, "weekly", _merged(self.weekly))
        if self.windows is not None:
            object.__setattr__(self, "windows", _merged(self.windows))

    def spans(self, start: float, limit: float) -> Iterator[Span]:
        """Open spans clipped to [start, limit), in time order."""
        if self.windows is not None:
            for a, b in self.windows:
                if b > start and a < limit:
                    yield max(a, start), min(b, limit)
            return
        if not self.weekly:
            return
        week = math.floor(start / WEEK)
        while week * WEEK < limit:
            offset = week * WEEK
            for a, b in self.weekly:
                a, b = a + offset, b + offset
                if b > start and a < limit:
                    yield max(a, start), min(b, limit)
            week += 1

    def finish(self, start: float, hours: float, limit: float) -> float | None:
        """When ``hours`` of work begun at ``start`` end, or None if not by ``limit``."""
        if hours <= 0:
            return start
        left = hours
        for a, b in self.spans(start, limit):
            if b - a >= left:
                return a + left
            left -= b - a
        return None
