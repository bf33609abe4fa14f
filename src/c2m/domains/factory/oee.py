"""Overall equipment effectiveness from what the machines reported, never typed in.

For one machine over a window, from its state changes and its finished attempts:

- **availability** = running / (running + setup + down): of the time it had work or was
  broken, the share it was making parts (idle time without work, maintenance and offline time
  are not counted as losses: nobody planned production then);
- **performance** = ideal time of the finished attempts / running time (capped at 1); the ideal
  time is the command's nominal duration at the machine's rated speed;
- **quality** = good parts / finished parts (a part scrapped at inspection is not good);
- **OEE** = availability x performance x quality.

A factory adds its machines' times and parts up before dividing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import (
    AttemptStatus,
    JobAttempt,
    Machine,
    MachineEvent,
    MachineEventKind,
)
from c2m.domains.factory.vocabulary import MachineState

WORKING = (MachineState.RUNNING, MachineState.SETUP, MachineState.DOWN)


@dataclass(frozen=True)
class Change:
    at: datetime
    state: MachineState
    reason: str | None = None


@dataclass(frozen=True)
class Finished:
    ideal_s: float
    good: bool


@dataclass
class Oee:
    seconds: dict[MachineState, float] = field(default_factory=dict)
    downtime: dict[str, float] = field(default_factory=dict)  # by reason
    ideal_s: float = 0.0
    parts: int = 0
    good: int = 0

    def add(self, other: Oee) -> None:
        for state, value in other.seconds.items():
            self.seconds[state] = self.seconds.get(state, 0.0) + value
        for reason, value in other.downtime.items():
            self.downtime[reason] = self.downtime.get(reason, 0.0) + value
        self.ideal_s += other.ideal_s
        self.parts += other.parts
        self.good += other.good

    @property
    def availability(self) -> float | None:
        busy = sum(self.seconds.get(state, 0.0) for state in WORKING)
        return self.seconds.get(MachineState.RUNNING, 0.0) / busy if busy else None

    @property
    def performance(self) -> float | None:
        running = self.seconds.get(MachineState.RUNNING, 0.0)
        return min(1.0, self.ideal_s / running) if running else None

    @property
    def quality(self) -> float | None:
        return self.good / self.parts if self.parts else None

    @property
    def oee(self) -> float | None:
        a, p, q = self.availability, self.performance, self.quality
        if a is None or p is None or q is None:
            return None
        return a * p * q

    def as_dict(self) -> dict[str, object]:
        return {
            "availability": self.availability,
            "performance": self.performance,
            "quality": self.quality,
            "oee": self.oee,
            "seconds": {state.value: round(value, 3) for state, value in self.seconds.items()},
            "downtime": {reason: round(value, 3) for reason, value in self.downtime.items()},
            "parts": self.parts,
            "good": self.good,
        }


def measure(
    initial: MachineState,
    changes: list[Change],
    finished: list[Finished],
    start: datetime,
    end: datetime,
) -> Oee:
    """One machine over [start, end): ``initial`` is its state at ``start``."""
    result = Oee()
    state, reason, since = initial, None, start
    for change in sorted(changes, key=lambda c: c.at):
        if change.at >= end:
            break
        if change.at > since:
            _span(result, state, reason, (change.at - since).total_seconds())
            since = change.at
        state, reason = change.state, change.reason
    if end > since:
        _span(result, state, reason, (end - since).total_seconds())
    for job in finished:
        result.ideal_s += job.ideal_s
        result.parts += 1
        result.good += job.good
    return result


def _span(result: Oee, state: MachineState, reason: str | None, seconds: float) -> None:
    result.seconds[state] = result.seconds.get(state, 0.0) + seconds
    if state is MachineState.DOWN:
        key = reason or "unknown"
        result.downtime[key] = result.downtime.get(key, 0.0) + seconds


def factory_oee(
    session: Session, factory_id: str, start: datetime, end: datetime, time_scale: float
) -> tuple[Oee, dict[str, Oee]]:
    """The factory's OEE and each machine's (by machine code) over [start, end)."""
    machines = list(session.scalars(select(Machine).where(Machine.factory_id == factory_id)))
    ids = [machine.id for machine in machines]
    changes: dict[str, list[Change]] = defaultdict(list)
    initial: dict[str, MachineState] = {}
    events = session.scalars(
        select(MachineEvent)
        .where(
            MachineEvent.machine_id.in_(ids),
            MachineEvent.kind == MachineEventKind.STATE,
            MachineEvent.at < end,
        )
        .order_by(MachineEvent.at, MachineEvent.id)
    )
    for event in events:
        assert event.state is not None
        if event.at <= start:
            initial[event.machine_id] = event.state
        else:
            changes[event.machine_id].append(Change(event.at, event.state, event.reason))
    done: dict[str, list[Finished]] = defaultdict(list)
    speed = {machine.id: machine.speed for machine in machines}
    attempts = session.scalars(
        select(JobAttempt).where(
            JobAttempt.machine_id.in_(ids),
            JobAttempt.status == AttemptStatus.DONE,
            JobAttempt.ended_at >= start,
            JobAttempt.ended_at < end,
        )
    )
    for attempt in attempts:
        nominal = float((attempt.command or {}).get("nominal_s", 0.0))
        ideal = nominal / speed[attempt.machine_id] / time_scale
        done[attempt.machine_id].append(Finished(ideal, attempt.outcome != "scrap"))
    total = Oee()
    per_machine: dict[str, Oee] = {}
    for machine in machines:
        first = initial.get(machine.id, MachineState.OFFLINE)
        measured = measure(first, changes[machine.id], done[machine.id], start, end)
        per_machine[machine.code] = measured
        total.add(measured)
    return total, per_machine
