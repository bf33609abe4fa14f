"""An inspection machine measures what the job document asks for: gauge noise around nominal,
one dimension out of tolerance on about ``scrap_rate`` of the pieces, the same for a seed."""

from __future__ import annotations

import pytest
from sim_support import jobs_of, machine, twin_of

from c2m.engines.quality import Reading, judge, tolerances_of
from c2m.engines.simulation import JobCommand, SetupTimes, TwinError

GAP = {"name": "door-gap", "label": "Door gap", "nominal": 3.0, "tolerance": 0.5, "unit": "mm"}
WIDTH = {"name": "width", "label": "Width", "nominal": 750.0, "tolerance": 2.0, "unit": "mm"}
PIECES = 1000
RATE = 0.05


def inspected(seed: int) -> list[dict[str, object]]:
    twin, log = twin_of(
        machine("qc", capabilities=("inspect",), scrap_rate=RATE, setup=SetupTimes()), seed=seed
    )
    command = {
        "operation_id": "o1",
        "attempt_id": "a1",
        "nominal_s": 60,
        "capability": "inspect",
        "job": {"quantity": PIECES, "inspection": [GAP, WIDTH]},
    }
    twin.submit("qc", JobCommand.from_payload(command))
    twin.run(600)
    (done,) = jobs_of(log, "done")
    assert "outcome" not in done.payload  # the platform judges the measurements
    measured = done.payload["measurements"]
    assert isinstance(measured, list)
    return measured  # type: ignore[return-value]


def test_every_piece_is_measured_realistically_and_a_few_are_out_of_tolerance() -> None:
    measured = inspected(seed=7)
    assert len(measured) == 2 * PIECES
    assert {m["unit"] for m in measured} == {"mm"}
    readings = [Reading(str(m["name"]), float(m["value"]), int(m["piece"])) for m in measured]  # type: ignore[arg-type]
    verdict = judge(tolerances_of([GAP, WIDTH]), readings, PIECES)
    failed = sum(not piece.passed for piece in verdict.pieces)
    bound = 4.5 * (RATE * (1 - RATE) * PIECES) ** 0.5
    assert abs(failed - RATE * PIECES) < bound
    gaps = [float(m["value"]) for m in measured if m["name"] == "door-gap"]  # type: ignore[arg-type]
    assert len(set(gaps)) > 5  # noise, not the nominal value every time
    assert sum(gaps) / len(gaps) == pytest.approx(3.0, abs=0.05)


def test_the_same_seed_measures_the_same() -> None:
    assert inspected(seed=1) == inspected(seed=1)
    assert inspected(seed=1) != inspected(seed=2)


def test_a_malformed_inspection_is_refused_in_words() -> None:
    command = {"operation_id": "o", "attempt_id": "a", "nominal_s": 1, "job": {"inspection": [{}]}}
    with pytest.raises(TwinError, match="name, nominal and tolerance"):
        JobCommand.from_payload(command)
