"""Issue 18: a twin machine reports what it used of the materials its job document lists: the
bill's quantity and up to 5 % more in offcuts, never less; the same for a seed."""

from __future__ import annotations

import pytest
from sim_support import jobs_of, machine, twin_of

from c2m.engines.simulation import JobCommand, SetupTimes, TwinError

STEEL = {"material": "sheet-steel-0.8", "quantity": 3.9, "unit": "m²", "name": "Sheet steel"}


def used(seed: int, materials: list[dict[str, object]]) -> dict[str, object]:
    twin, log = twin_of(
        machine("cutter", capabilities=("sheet-cut",), setup=SetupTimes()), seed=seed
    )
    command = {
        "operation_id": "o1",
        "attempt_id": "a1",
        "nominal_s": 60,
        "job": {"quantity": 1, "materials": materials},
    }
    twin.submit("cutter", JobCommand.from_payload(command))
    twin.run(600)
    (done,) = jobs_of(log, "done")
    return done.payload


def test_the_machine_reports_the_material_it_used() -> None:
    (steel,) = used(7, [STEEL])["consumed"]  # type: ignore[misc]
    assert steel["material"] == "sheet-steel-0.8"
    assert 3.9 <= steel["quantity"] <= 3.9 * 1.05
    assert used(7, [STEEL]) == used(7, [STEEL])


def test_a_job_without_materials_reports_none() -> None:
    assert "consumed" not in used(7, [])


def test_a_malformed_material_is_refused_in_words() -> None:
    command = {"operation_id": "o", "attempt_id": "a", "nominal_s": 1, "job": {"materials": [{}]}}
    with pytest.raises(TwinError, match="material and quantity"):
        JobCommand.from_payload(command)
