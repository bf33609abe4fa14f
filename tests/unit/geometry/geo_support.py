"""Shared helpers for the geometry tests: bench paths and independent reference measurements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.hostile_parts import binary_stl, box_triangles

BENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "bench" / "stl"
__all__ = ["binary_stl", "box_triangles", "reference_volume"]
needs_bench = pytest.mark.skipif(
    not BENCH.is_dir(), reason=f"the shared STL bench is not at {BENCH}"
)


def bench_files(folder: str) -> list[Path]:
    return sorted((BENCH / folder).iterdir()) if BENCH.is_dir() else []


def reference_volume(triangles: np.ndarray) -> float:
    """Signed tetrahedra against the origin, straight from the raw triangles."""
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)
