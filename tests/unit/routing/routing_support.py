"""Makers and jobs for the routing tests: readable builders and Hypothesis strategies drawn
from small vocabularies, so every filter both passes and fails often."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from c2m.engines.routing import Calendar, Job, Machine, Maker, Place, SizeClass

BERLIN = Place(52.52, 13.40)
POTSDAM = Place(52.39, 13.06)
MUNICH = Place(48.14, 11.58)
LISBON = Place(38.72, -9.14)
CAPABILITIES = ("fdm-print", "sla-print")
MATERIALS = ("PLA", "PETG")
COLOURS = ("black", "red")


def job(job_id: str = "j1", **overrides: object) -> Job:
    """A small black PLA print of 2 hours for Berlin, due in 3 days."""
    fields: dict[str, object] = {
        "capability": "fdm-print",
        "material": "PLA",
        "colour": "black",
        "box_mm": (100.0, 50.0, 20.0),
        "tolerance_mm": 0.3,
        "machine_hours": 2.0,
        "volume_cm3": 30.0,
        "due": 72.0,
        "destination": BERLIN,
        **overrides,
    }
    return Job(job_id, **fields)  # type: ignore[arg-type]


def machine(machine_id: str = "m1", **overrides: object) -> Machine:
    """An idle, always open PLA/PETG printer, black and red, 250 mm, ±0.2 mm, €3 an hour."""
    fields: dict[str, object] = {
        "capabilities": frozenset({"fdm-print"}),
        "materials": frozenset(MATERIALS),
        "colours": frozenset(COLOURS),
        "build_mm": (250.0, 210.0, 210.0),
        "tolerance_mm": 0.2,
        "price_per_hour": 300,
        **overrides,
    }
    return Machine(machine_id, **fields)  # type: ignore[arg-type]


def maker(maker_id: str = "a", *machines: Machine, **overrides: object) -> Maker:
    """An established maker in Potsdam (next-day to Berlin) with one machine, score 0.8."""
    fields: dict[str, object] = {"place": POTSDAM, "score": 0.8, "jobs_done": 10, **overrides}
    return Maker(maker_id, machines or (machine(),), **fields)  # type: ignore[arg-type]


def twins(count: int) -> list[Maker]:
    """Makers alike in every way that routing scores."""
    return [maker(f"twin-{n}") for n in range(count)]


places = st.sampled_from((BERLIN, POTSDAM, MUNICH, LISBON))
calendars = st.sampled_from(
    (Calendar(), Calendar(((18.0, 23.0), (120.0, 168.0))), Calendar(windows=((0.0, 10.0),)))
)


@st.composite
def machines(draw: st.DrawFn, machine_id: str) -> Machine:
    return Machine(
        machine_id,
        capabilities=frozenset(draw(st.sets(st.sampled_from(CAPABILITIES), min_size=1))),
        materials=frozenset(draw(st.sets(st.sampled_from(MATERIALS)))),
        colours=frozenset(draw(st.sets(st.sampled_from(COLOURS)))),
        build_mm=draw(st.tuples(*[st.sampled_from((80.0, 150.0, 300.0))] * 3)),
        tolerance_mm=draw(st.sampled_from((0.05, 0.2, 0.5))),
        price_per_hour=draw(st.integers(0, 900)),
        price_per_cm3=draw(st.integers(1, 20)),
        calendar=draw(calendars),
        queue_hours=draw(st.sampled_from((0.0, 5.0, 40.0, 100.0))),
        slots=draw(st.integers(0, 3)),
    )


@st.composite
def makers(draw: st.DrawFn, maker_id: str) -> Maker:
    count = draw(st.integers(0, 3))
    return Maker(
        maker_id,
        tuple(draw(machines(f"m{n}")) for n in range(count)),
        draw(places),
        draw(st.sampled_from((0.0, 0.3, 0.8, 1.0))),
        certificates=frozenset(draw(st.sets(st.sampled_from(("iso-9001", "food-safe"))))),
        jobs_done=draw(st.integers(0, 5)),
        suspended=draw(st.booleans()),
        capability_scores=draw(
            st.dictionaries(st.sampled_from(CAPABILITIES), st.sampled_from((0.2, 0.6, 0.9)))
        ),
        recent_offers=draw(st.integers(0, 3)),
    )


@st.composite
def jobs(draw: st.DrawFn, job_id: str = "j") -> Job:
    return replace(
        job(job_id),
        capability=draw(st.sampled_from(CAPABILITIES)),
        material=draw(st.sampled_from(MATERIALS)),
        colour=draw(st.sampled_from(COLOURS)),
        box_mm=draw(st.tuples(*[st.sampled_from((50.0, 120.0, 200.0))] * 3)),
        tolerance_mm=draw(st.sampled_from((0.1, 0.3))),
        machine_hours=draw(st.sampled_from((1.0, 6.0, 30.0))),
        due=draw(st.sampled_from((30.0, 72.0, 200.0))),
        destination=draw(places),
        certificates=frozenset(draw(st.sets(st.sampled_from(("iso-9001",))))),
        size=draw(st.sampled_from(list(SizeClass))),
    )


crowds = st.integers(1, 12).flatmap(
    lambda n: st.tuples(*[makers(f"k{i}") for i in range(n)]).map(list)
)
