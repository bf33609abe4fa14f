"""Shared helpers for the geometry tests: bench paths and independent reference measurements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests.bench_data import BENCH as ALL_BENCH
from tests.bench_data import needs_bench
from tests.hostile_parts import binary_stl, box_triangles

BENCH = ALL_BENCH / "stl"
__all__ = ["binary_stl", "box_triangles", "needs_bench", "reference_volume"]


def bench_files(folder: str) -> list[Path]:
    return sorted((BENCH / folder).iterdir()) if BENCH.is_dir() else []


def reference_volume(triangles: np.ndarray) -> float:
    """Signed tetrahedra against the origin, straight from the raw triangles."""
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)
