"""The routing engine's input from the database: a routed job as the engine's ``Job`` and each
maker's snapshot as its ``Maker``, with the Maker Score and the offers received lately. A machine
goes by its code (what the maker calls it, and what the reasons name); ``machine_ids`` maps it
back to the machine.

A machine's working calendar (weekly shifts in its time zone) becomes the engine's explicit free
windows from now to the job's due time, through the planner's own calendar reading, so routing
and planning agree on when a machine works.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from c2m.domains.makers.candidates import MachineSnapshot, MakerSnapshot
from c2m.domains.makers.models import RoutedJob
from c2m.domains.makers.places import place_of
from c2m.domains.makers.probation import PROBATION_LIMITS
from c2m.domains.planning.calendar import off_windows
from c2m.engines.routing import Calendar, Job, Machine, Maker, MakerScore, SizeClass
from c2m.engines.routing.clock import hours_at


def job_of(row: RoutedJob, now: datetime) -> Job:
    box = (row.size_x_mm, row.size_y_mm, row.size_z_mm)
    small = PROBATION_LIMITS.admits(box, row.machine_hours)
    return Job(
        id=row.id,
        capability=row.capability,
        material=row.material,
        colour=row.colour,
        box_mm=box,
        tolerance_mm=row.tolerance_mm,
        machine_hours=row.machine_hours,
        volume_cm3=row.volume_cm3,
        due=hours_at(row.due_at),
        destination=place_of(row.customer_country),
        earliest_start=hours_at(now),
        size=SizeClass.SMALL if small else SizeClass.MEDIUM,
    )


def maker_of(
    snapshot: MakerSnapshot, score: MakerScore, recent: int, now: datetime, due: datetime
) -> Maker:
    return Maker(
        id=snapshot.maker_id,
        machines=tuple(_machine(m, now, due) for m in snapshot.machines if _priced(m)),
        place=place_of(snapshot.country),
        score=score.value,
        certificates=frozenset(snapshot.certificates),
        jobs_done=snapshot.jobs_done,
        suspended=snapshot.suspended,
        capability_scores=score.capabilities,
        recent_offers=recent,
    )


def machine_ids(snapshots: list[MakerSnapshot]) -> dict[tuple[str, str], str]:
    """(maker id, machine code) → machine id, for the engine's answers."""
    return {(s.maker_id, m.code): m.machine_id for s in snapshots for m in s.machines}


def _priced(snapshot: MachineSnapshot) -> bool:
    """A machine without any price cannot be offered a job (the engine refuses it)."""
    return snapshot.price_per_hour > 0 or snapshot.price_per_cm3 > 0


def _machine(snapshot: MachineSnapshot, now: datetime, due: datetime) -> Machine:
    return Machine(
        id=snapshot.code,  # what the reasons name; unique within the maker's workshop
        capabilities=frozenset(snapshot.capabilities),
        materials=frozenset({snapshot.material}),
        colours=frozenset({snapshot.colour}),
        build_mm=snapshot.build_volume_mm,
        tolerance_mm=snapshot.tolerance_mm,
        price_per_hour=snapshot.price_per_hour,
        price_per_cm3=snapshot.price_per_cm3,
        calendar=_calendar(snapshot, now, due),
    )


def _calendar(snapshot: MachineSnapshot, now: datetime, due: datetime) -> Calendar:
    if snapshot.calendar is None:
        return Calendar()
    horizon = max(due - now, timedelta(hours=1))
    start = hours_at(now)
    open_spans: list[tuple[float, float]] = []
    cursor = 0.0
    for off_start, off_end in off_windows(snapshot.calendar, now, horizon):
        if off_start > cursor:
            open_spans.append((start + cursor / 3600, start + off_start / 3600))
        cursor = max(cursor, float(off_end))
    end = horizon.total_seconds()
    if cursor < end:
        open_spans.append((start + cursor / 3600, start + end / 3600))
    return Calendar(windows=tuple(open_spans))
