"""Each engine's package names its public API, and naming it costs nothing heavy."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "c2m"
ENGINES = sorted(p.name for p in (SRC / "engines").iterdir() if (p / "__init__.py").is_file())


def test_every_engine_is_listed() -> None:
    assert ENGINES == [
        "aggregation", "configurator", "costing", "geometry", "scheduling", "simulation"
    ]  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_names_its_public_api(engine: str) -> None:
    package = importlib.import_module(f"c2m.engines.{engine}")
    public = package.__all__
    assert public, f"c2m.engines.{engine} names no public API"
    assert len(set(public)) == len(public)
    for name in public:
        assert getattr(package, name) is not None, f"c2m.engines.{engine}.{name} does not resolve"
    with pytest.raises(AttributeError):
        getattr(package, "no_such_name")  # noqa: B009


def test_importing_an_engine_does_not_import_its_heavy_parts() -> None:
    """The web tier imports engines for their dataclasses; solvers and meshes load on use."""
    probe = (
        "import sys; import c2m.engines.scheduling, c2m.engines.geometry, c2m.engines.costing;"
        "print(sorted({'ortools', 'numba', 'trimesh', 'plotly'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
