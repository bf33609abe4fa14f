"""Acceptance 1 and 2 on the engine side: every bench file gets an analysis or a precise reason;
watertight ones match independent reference measurements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from geo_support import bench_files, needs_bench, reference_volume

from c2m.engines.geometry.analysis import analyze_bytes
from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.readers import read_triangles
from c2m.engines.geometry.units import TO_MM

pytestmark = needs_bench
MULTI_BODY = {"box.STL": 10, "counter.unitsmm.STL": 6, "multiple_solids.stl": 2,
              "two_objects_mixed_case_names.stl": 2, "multibody.stl": 2}  # fmt: skip
NOT_SOLID = {"shared.STL": "non-manifold", "soup.stl": "open surface", "teapot.stl": "open surface"}
EMPTY = {"empty.stl", "emptyIO__stl_empty_ascii.stl", "emptyIO__stl_empty_bin.stl"}


@pytest.mark.parametrize("path", bench_files("models"), ids=lambda p: p.name)
def test_every_model_is_measured_or_refused_precisely(path: Path) -> None:
    data = path.read_bytes()
    if path.name in EMPTY:
        with pytest.raises(MeshError) as refused:
            analyze_bytes(data)
        assert refused.value.code == "no_triangles"
        return
    analysis, _ = analyze_bytes(data)
    _, raw = read_triangles(data)
    scale = TO_MM[analysis.unit]
    corners = raw.reshape(-1, 3)
    size = (corners.max(axis=0) - corners.min(axis=0)) * scale
    assert np.allclose(analysis.size, size, rtol=0.005, atol=1e-9)
    if path.name in NOT_SOLID:
        assert not analysis.valid_solid
        assert analysis.volume is None
        assert analysis.problem is not None
        assert NOT_SOLID[path.name] in analysis.problem
        return
    assert analysis.valid_solid, analysis.problem
    assert analysis.bodies == MULTI_BODY.get(path.name, 1)
    if analysis.winding_consistent and not analysis.overlapping_bodies:
        expected = abs(reference_volume(raw)) * scale**3
        assert analysis.volume == pytest.approx(expected, rel=0.005)


@pytest.mark.parametrize("path", bench_files("broken"), ids=lambda p: p.name)
def test_every_broken_file_gets_a_reason_or_a_verdict(path: Path) -> None:
    try:
        analysis, _ = analyze_bytes(path.read_bytes())
    except MeshError as refused:
        reason: MeshError | None = refused
    else:
        reason = None
    if reason is not None:
        assert reason.code
        assert reason.message.endswith(".")
    elif not analysis.valid_solid:
        assert analysis.volume is None
        assert analysis.problem


def test_overlapping_cubes_count_shared_material_once() -> None:
    path = next(p for p in bench_files("broken") if p.name == "self_overlapping_cubes.stl")
    analysis, _ = analyze_bytes(path.read_bytes())
    assert analysis.overlapping_bodies
    assert analysis.volume == pytest.approx(15000.0, rel=1e-6)  # 2 x 20^3 minus the 10^3 overlap


def test_units_guess_metres_and_inches() -> None:
    models = {p.name: p for p in bench_files("models")}
    metres, _ = analyze_bytes(models["ADIS16480.STL"].read_bytes())
    inches, _ = analyze_bytes(models["featuretype.STL"].read_bytes())
    millimetres, _ = analyze_bytes(models["plate_holes.STL"].read_bytes())
    assert (metres.unit.value, metres.needs_confirmation) == ("m", True)
    assert (inches.unit.value, inches.needs_confirmation) == ("in", True)
    assert inches.size[0] == pytest.approx(127.0, rel=1e-4)
    assert (millimetres.unit.value, millimetres.needs_confirmation) == ("mm", False)
