"""Each engine's package names its public API (that naming it is light: test_light_web_tier)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "c2m"
ENGINES = sorted(p.name for p in (SRC / "engines").iterdir() if (p / "__init__.py").is_file())


def test_every_engine_is_listed() -> None:
    assert ENGINES == [
        "aggregation", "configurator", "costing", "credentials", "geometry", "routing",
        "scheduling", "simulation",
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
