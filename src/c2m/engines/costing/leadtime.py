"""Ship dates from the planner's load: the order's machine hours are poured into the capable
machines as they become free (water filling), then handling and the tier's buffer are added."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from c2m.engines.costing.tables import Process


class Tier(enum.StrEnum):
    ECONOMY = "economy"
    STANDARD = "standard"
    EXPRESS = "express"


@dataclass(frozen=True, slots=True)
class TierSpec:
    tier: Tier
    price_factor: float
    max_wait_hours: float | None  # None: wait for the whole queue; express jumps it
    buffer_days: int  # calendar days added before shipping


DEFAULT_TIERS = (
    TierSpec(Tier.ECONOMY, 0.85, None, 7),
    TierSpec(Tier.STANDARD, 1.0, None, 2),
    TierSpec(Tier.EXPRESS, 1.5, 4.0, 0),
)


@dataclass(frozen=True, slots=True)
class Capacity:
    """Per process, when each capable machine is free of already planned work.
    Passed in by the domain layer from the planner; the engine never reads a clock or a plan."""

    free_at: dict[Process, tuple[datetime, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LeadTime:
    tier: Tier
    price_factor: float
    ready_at: datetime
    ship_date: date


def finish_time(starts: list[datetime], hours: float) -> datetime:
    """Earliest T with sum over machines of max(0, T - start) = hours (work split freely)."""
    ordered = sorted(starts)
    remaining = hours
    for count in range(1, len(ordered) + 1):
        here = ordered[count - 1]
        following = ordered[count] if count < len(ordered) else None
        if following is None:
            return here + timedelta(hours=remaining / count)
        step = (following - here).total_seconds() / 3600 * count
        if step >= remaining:
            return here + timedelta(hours=remaining / count)
        remaining -= step
    raise ValueError("no machines")


def lead_times(
    process: Process,
    machine_hours: float,
    handling_hours: float,
    capacity: Capacity,
    now: datetime,
    tiers: tuple[TierSpec, ...] = DEFAULT_TIERS,
) -> list[LeadTime]:
    """One ship date per tier; empty when no machine has the capability."""
    machines = capacity.free_at.get(process, ())
    out: list[LeadTime] = []
    for spec in tiers if machines else ():
        starts = [max(now, free) for free in machines]
        if spec.max_wait_hours is not None:
            cap = now + timedelta(hours=spec.max_wait_hours)
            starts = [min(start, cap) for start in starts]
        ready = finish_time(starts, machine_hours) + timedelta(hours=handling_hours)
        ship = (ready + timedelta(days=spec.buffer_days)).date() + timedelta(days=1)
        out.append(LeadTime(spec.tier, spec.price_factor, ready, ship))
    return out
