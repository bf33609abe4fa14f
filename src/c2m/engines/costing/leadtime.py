"""Ship dates from the planner's load: each piece is made whole on one capable machine, the one
that would finish it first, counting only the machine's working hours after the work already
planned on it; then handling and the tier's buffer are added."""

from __future__ import annotations

import enum
import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
class MachineTime:
    """A capable machine: free of already planned work at ``free_at``; ``off`` the times it
    does not work (outside its shifts), sorted [start, end) pairs; ``speed`` times as fast as
    the nominal hours say (as the planner counts it)."""

    free_at: datetime
    off: tuple[tuple[datetime, datetime], ...] = ()
    speed: float = 1.0

    def work(self, start: datetime, hours: float) -> datetime:
        """When ``hours`` of nominal work begun at ``start`` (or later, once the machine works)
        end."""
        left = timedelta(hours=hours / self.speed)
        for off_from, off_to in self.off:
            if off_to <= start:
                continue
            if off_from > start:
                if start + left <= off_from:
                    return start + left
                left -= off_from - start
            start = max(start, off_to)
        return start + left


@dataclass(frozen=True, slots=True)
class Capacity:
    """Per process, the capable machines and when each is free of already planned work.
    Passed in by the domain layer from the planner; the engine never reads a clock or a plan."""

    machines: dict[Process, tuple[MachineTime, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LeadTime:
    tier: Tier
    price_factor: float
    ready_at: datetime
    ship_date: date


def finish_time(machines: list[MachineTime], pieces: int, piece_hours: float) -> datetime:
    """When the last of ``pieces`` is made, each piece whole on the machine that would finish it
    first (list scheduling: a piece is never split between machines)."""
    if not machines or pieces < 1:
        raise ValueError("no machines, or nothing to make")
    ends = [(machine.work(machine.free_at, piece_hours), i) for i, machine in enumerate(machines)]
    heapq.heapify(ends)
    last = ends[0][0]
    for _ in range(pieces):
        end, i = heapq.heappop(ends)
        last = max(last, end)
        heapq.heappush(ends, (machines[i].work(end, piece_hours), i))
    return last


@dataclass(frozen=True, slots=True)
class RoutingStep:
    """A step of a routing to promise: ``hours`` on a machine with ``capability``, after the
    steps at indices ``after`` and not before ``not_before`` (its material's arrival)."""

    capability: str
    hours: float
    after: tuple[int, ...] = ()
    not_before: datetime | None = None


def routing_ready(
    machines: Sequence[tuple[frozenset[str], MachineTime]],
    steps: Sequence[RoutingStep],
    start: datetime,
) -> datetime | None:
    """When a routing's steps (each after those it waits for, listed before it) would all be
    done if added after the work planned on ``machines`` (each with its capabilities): each
    step on the capable machine that would finish it first. None when no machine can take a
    step."""
    free = [time for _, time in machines]
    ends: list[datetime] = []
    for step in steps:
        able = [i for i, (held, _) in enumerate(machines) if step.capability in held]
        if not able:
            return None
        at = max([start, *(ends[i] for i in step.after), step.not_before or start])
        done = {i: free[i].work(max(at, free[i].free_at), step.hours) for i in able}
        best = min(able, key=done.__getitem__)
        free[best] = replace(free[best], free_at=done[best])
        ends.append(done[best])
    return max(ends, default=start)


def lead_times(
    process: Process,
    pieces: int,
    piece_hours: float,
    handling_hours: float,
    capacity: Capacity,
    now: datetime,
    tiers: tuple[TierSpec, ...] = DEFAULT_TIERS,
) -> list[LeadTime]:
    """One ship date per tier; empty when no machine has the capability."""
    machines = capacity.machines.get(process, ())
    out: list[LeadTime] = []
    for spec in tiers if machines else ():
        starts = []
        for machine in machines:
            start = max(now, machine.free_at)
            if spec.max_wait_hours is not None:  # express jumps the queue
                start = min(start, now + timedelta(hours=spec.max_wait_hours))
            starts.append(replace(machine, free_at=start))
        ready = finish_time(starts, pieces, piece_hours) + timedelta(hours=handling_hours)
        ship = (ready + timedelta(days=spec.buffer_days)).date() + timedelta(days=1)
        out.append(LeadTime(spec.tier, spec.price_factor, ready, ship))
    return out
