"""The routing vocabulary: a job to make and the makers who might make it, as plain dataclasses.

Times are hours since a Monday 00:00 UTC (``clock.hours_at`` converts a datetime), so a weekly
calendar is the time modulo 168. Money is in minor units of the platform currency (cents).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from c2m.engines.routing.calendar import Calendar
from c2m.engines.routing.errors import RoutingError


class SizeClass(enum.IntEnum):
    """How big a part is; a maker on probation only gets small ones."""

    SMALL = 1
    MEDIUM = 2
    LARGE = 3


#: A job's colour when the customer did not choose one (a quoted part): any loaded colour does.
ANY_COLOUR = "any"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a maker works or a customer lives, by latitude and longitude in degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise RoutingError(f"({self.lat}, {self.lon}) is not a place on Earth")


@dataclass(frozen=True, slots=True)
class Job:
    """One part to make: what it needs, by when, and where it goes."""

    id: str
    capability: str
    material: str
    colour: str  # ANY_COLOUR: whatever colour is loaded
    box_mm: tuple[float, float, float]
    tolerance_mm: float
    machine_hours: float
    volume_cm3: float
    due: float
    destination: Place
    earliest_start: float = 0.0
    certificates: frozenset[str] = frozenset()
    size: SizeClass = SizeClass.SMALL

    def __post_init__(self) -> None:
        if self.machine_hours <= 0 or self.volume_cm3 < 0 or self.tolerance_mm <= 0:
            raise RoutingError(f"job {self.id}: hours and tolerance must be positive")
        if min(self.box_mm) <= 0:
            raise RoutingError(f"job {self.id}: every side of the part must be positive")
        if self.due <= self.earliest_start:
            raise RoutingError(f"job {self.id}: it is due before it may start")


@dataclass(frozen=True, slots=True)
class Machine:
    """A maker's machine as it stands now: what it can do, what is loaded, what it charges.

    ``queue_hours`` is the work already booked on it; ``slots`` how many more jobs its owner
    takes at once (what batch assignment may give it)."""

    id: str
    capabilities: frozenset[str]
    materials: frozenset[str]
    colours: frozenset[str]
    build_mm: tuple[float, float, float]
    tolerance_mm: float
    price_per_hour: int = 0
    price_per_cm3: int = 0
    calendar: Calendar = field(default_factory=Calendar)
    queue_hours: float = 0.0
    slots: int = 1

    def __post_init__(self) -> None:
        if self.price_per_hour < 0 or self.price_per_cm3 < 0:
            raise RoutingError(f"machine {self.id}: prices cannot be negative")
        if self.price_per_hour == 0 and self.price_per_cm3 == 0:
            raise RoutingError(f"machine {self.id}: give a price per hour, per cm³ or both")
        if self.queue_hours < 0 or self.slots < 0:
            raise RoutingError(f"machine {self.id}: queue and slots cannot be negative")

    def price(self, job: Job) -> int:
        """What this machine charges for ``job``, in cents."""
        return math.ceil(
            job.machine_hours * self.price_per_hour + job.volume_cm3 * self.price_per_cm3
        )


@dataclass(frozen=True, slots=True)
class Maker:
    """An independent maker: their machines, where they are, their standing on the platform.

    ``score`` and ``capability_scores`` come from ``maker_score``; ``recent_offers`` (offers
    received lately) shares work evenly between makers of equal score."""

    id: str
    machines: tuple[Machine, ...]
    place: Place
    score: float
    certificates: frozenset[str] = frozenset()
    jobs_done: int = 0
    suspended: bool = False
    capability_scores: Mapping[str, float] = field(default_factory=dict)
    recent_offers: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise RoutingError(f"maker {self.id}: a Maker Score lies between 0 and 1")
