"""Probation: how a new maker earns trust, as data the router reads.

A new maker is on probation for their first ``JOBS`` jobs: they are given small parts only, a
bounding box of at most ``MAX_SIDE_MM`` on every side and at most ``MAX_MACHINE_HOURS`` on the
machine. After ``JOBS`` successful jobs (attempts a machine of theirs reported done) they are
active. The platform owner may suspend a maker at any time (with a reason): a suspended maker is
given no job until reinstated, and reinstating returns them to probation or active by their
record.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

JOBS = 3
MAX_SIDE_MM = 150.0
MAX_MACHINE_HOURS = 4.0


class MakerStatus(enum.StrEnum):
    PROBATION = "probation"
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class JobLimits:
    """The largest job a maker may be given; ``None`` on a side means no limit."""

    max_side_mm: float | None
    max_machine_hours: float | None

    def admits(self, size_mm: tuple[float, float, float], machine_hours: float) -> bool:
        """Whether a part this big, taking this long, may go to the maker."""
        fits = self.max_side_mm is None or max(size_mm) <= self.max_side_mm
        quick = self.max_machine_hours is None or machine_hours <= self.max_machine_hours
        return fits and quick


PROBATION_LIMITS = JobLimits(MAX_SIDE_MM, MAX_MACHINE_HOURS)
NO_LIMITS = JobLimits(None, None)


def status_of(suspended: bool, jobs_done: int) -> MakerStatus:
    if suspended:
        return MakerStatus.SUSPENDED
    return MakerStatus.ACTIVE if jobs_done >= JOBS else MakerStatus.PROBATION


def limits_of(status: MakerStatus) -> JobLimits:
    """What a maker may be given; a suspended maker's limits do not matter (nothing is)."""
    return NO_LIMITS if status is MakerStatus.ACTIVE else PROBATION_LIMITS


def in_words(status: MakerStatus, jobs_done: int) -> str:
    """The status as the maker reads it on their dashboard."""
    if status is MakerStatus.SUSPENDED:
        return "Suspended by the platform: you are given no jobs until you are reinstated."
    if status is MakerStatus.ACTIVE:
        return f"Active: {jobs_done} jobs done, any size of part may come to you."
    left = JOBS - jobs_done
    return (
        f"On probation: {jobs_done} of your first {JOBS} jobs done, {left} to go. Until then you "
        f"are given small parts only (at most {MAX_SIDE_MM:g} mm on every side and "
        f"{MAX_MACHINE_HOURS:g} machine hours)."
    )
