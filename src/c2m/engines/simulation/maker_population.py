"""A seeded population for the simulated maker network: home printers and small workshops
spread over Europe, some of them unreliable, and a week of jobs arriving from customers."""

from __future__ import annotations

import random
from dataclasses import dataclass

from c2m.engines.routing import Calendar, Job, Machine, Place, SizeClass

MATERIALS = ("PLA", "PETG", "ABS")
COLOURS = ("black", "white", "grey", "red")
#: Evenings 18-23 on weekdays and all weekend: a home printer beside a day job.
EVENINGS = Calendar((*((24.0 * d + 18, 24.0 * d + 23) for d in range(5)), (120.0, 168.0)))


@dataclass(frozen=True, slots=True)
class Reliability:
    """How a maker behaves: shares of offers declined and left to time out, share of jobs
    failed (print failure or a part that fails quality control), mean hours to answer."""

    decline_rate: float
    timeout_rate: float
    failure_rate: float
    answer_hours: float


RELIABLE = Reliability(decline_rate=0.05, timeout_rate=0.02, failure_rate=0.01, answer_hours=0.5)
UNRELIABLE = Reliability(decline_rate=0.3, timeout_rate=0.3, failure_rate=0.3, answer_hours=2.0)


@dataclass(frozen=True, slots=True)
class SimMaker:
    """A maker of the network: machines, place, jobs done before the week (fewer than three:
    on probation) and behaviour (which routing does not know)."""

    id: str
    machines: tuple[Machine, ...]
    place: Place
    behaviour: Reliability
    jobs_done: int


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """``makers`` makers with 1 to ``max_printers`` printers, ``unreliable`` of them (a share)
    behaving badly, ``newcomers`` (a share) new on the platform, ``jobs`` jobs arriving evenly
    at random over ``hours``."""

    makers: int = 200
    max_printers: int = 3
    unreliable: float = 0.1
    newcomers: float = 0.1
    jobs: int = 1500
    hours: float = 168.0
    seed: int = 7


def _place(rng: random.Random) -> Place:
    return Place(round(rng.uniform(41.0, 55.0), 3), round(rng.uniform(-4.0, 19.0), 3))


def _printer(rng: random.Random, name: str, home: bool) -> Machine:
    return Machine(
        name,
        capabilities=frozenset({"fdm-print"}),
        materials=frozenset(rng.sample(MATERIALS, rng.randint(1, 3))),
        colours=frozenset(rng.sample(COLOURS, rng.randint(2, 4))),
        build_mm=rng.choice(((180.0, 180.0, 180.0), (250.0, 210.0, 210.0), (350.0, 350.0, 400.0))),
        tolerance_mm=rng.choice((0.1, 0.2, 0.3)),
        price_per_hour=rng.randint(150, 450),
        price_per_cm3=rng.randint(2, 8),
        calendar=EVENINGS if home else Calendar(),
    )


def population(spec: NetworkSpec) -> list[SimMaker]:
    """The makers: a third are home printers open evenings and weekends, the rest workshops;
    the unreliable ones and the newcomers are drawn independently."""
    rng = random.Random(spec.seed)  # noqa: S311 (simulation, not secrecy)
    bad = set(rng.sample(range(spec.makers), round(spec.unreliable * spec.makers)))
    makers = []
    for n in range(spec.makers):
        home = rng.random() < 1 / 3
        printers = tuple(
            _printer(rng, f"p{k}", home) for k in range(rng.randint(1, spec.max_printers))
        )
        behaviour = UNRELIABLE if n in bad else RELIABLE
        done = 0 if rng.random() < spec.newcomers else rng.randint(3, 60)
        makers.append(SimMaker(f"maker-{n:03d}", printers, _place(rng), behaviour, done))
    return makers


def arrivals(spec: NetworkSpec) -> list[Job]:
    """Jobs over the spec's hours, each due 3 to 7 days after it arrives, by arrival time."""
    rng = random.Random(spec.seed + 1)  # noqa: S311 (simulation, not secrecy)
    jobs = []
    for n in range(spec.jobs):
        at = rng.uniform(0.0, spec.hours)
        side = rng.uniform(20.0, 160.0)
        jobs.append(
            Job(
                f"job-{n:05d}",
                "fdm-print",
                rng.choice(MATERIALS),
                rng.choice(COLOURS),
                (side, rng.uniform(10.0, side), rng.uniform(5.0, side)),
                tolerance_mm=rng.choice((0.2, 0.3, 0.5)),
                machine_hours=round(rng.uniform(1.0, 8.0), 2),
                volume_cm3=round(rng.uniform(5.0, 200.0), 1),
                due=at + 24.0 * rng.uniform(3.0, 7.0),
                destination=_place(rng),
                earliest_start=at,
                size=SizeClass.SMALL if side < 100 else SizeClass.MEDIUM,
            )
        )
    return sorted(jobs, key=lambda j: j.earliest_start)
