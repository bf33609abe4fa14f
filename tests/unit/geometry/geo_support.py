"""Shared helpers for the geometry tests: bench paths and independent reference measurements."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "bench" / "stl"
needs_bench = pytest.mark.skipif(
    not BENCH.is_dir(), reason=f"the shared STL bench is not at {BENCH}"
)


def bench_files(folder: str) -> list[Path]:
    return sorted((BENCH / folder).iterdir()) if BENCH.is_dir() else []


def binary_stl(triangles: np.ndarray, declared: int | None = None) -> bytes:
    count = len(triangles) if declared is None else declared
    records = np.zeros(
        len(triangles), dtype=[("n", "<f4", (3,)), ("v", "<f4", (3, 3)), ("a", "<u2")]
    )
    records["v"] = triangles
    return b"\0" * 80 + struct.pack("<I", count) + records.tobytes()


def box_triangles(
    size: tuple[float, float, float], offset: tuple[float, float, float] = (0, 0, 0)
) -> np.ndarray:
    """An outward-wound box (12 triangles)."""
    import trimesh

    box = trimesh.creation.box(extents=size)
    box.apply_translation(np.asarray(size) / 2 + np.asarray(offset))
    return np.asarray(box.triangles, dtype=np.float64)


def reference_volume(triangles: np.ndarray) -> float:
    """Signed tetrahedra against the origin, straight from the raw triangles."""
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)
