"""One entry point from bytes to triangles, with the checks every format shares."""

from __future__ import annotations

import importlib.util
import io

import numpy as np

from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.limits import DEFAULT_LIMITS, Limits
from c2m.engines.geometry.obj import read_obj
from c2m.engines.geometry.sniff import Kind, sniff
from c2m.engines.geometry.stl import read_ascii_stl, read_binary_stl
from c2m.engines.geometry.threemf import read_3mf
from c2m.engines.geometry.types import Triangles

STEP_READER = "cascadio"
STEP_MISSING = (
    "STEP files need the optional STEP reader on the server (install c2m with its 'step' "
    "extra: uv sync --extra step); until then, upload the part as STL, 3MF or OBJ."
)


def read_triangles(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Kind, Triangles]:
    """Sniff and read; every refusal is a ``MeshError`` with a sentence."""
    if len(data) > limits.max_bytes:
        raise MeshError(
            "too_large", f"The file has {len(data):,} bytes; at most {limits.max_bytes:,}."
        )
    kind = sniff(data)
    triangles = _READERS[kind](data, limits)
    if not np.isfinite(triangles).all():  # one flat pass; per triangle only for a bad file
        bad = ~np.isfinite(triangles).all(axis=(1, 2))
        raise MeshError(
            "non_finite",
            f"{int(bad.sum()):,} triangles have NaN or infinite coordinates "
            f"(the first is triangle {int(np.argmax(bad)) + 1:,}).",
        )
    return kind, triangles


def _read_step(data: bytes, limits: Limits) -> Triangles:
    if importlib.util.find_spec(STEP_READER) is None:
        raise MeshError("step_unavailable", STEP_MISSING)
    import trimesh

    mesh = trimesh.load(io.BytesIO(data), file_type="step", force="mesh")
    assert isinstance(mesh, trimesh.Trimesh)
    if len(mesh.faces) > limits.max_triangles:
        raise MeshError("too_many_triangles", "The STEP model tessellates into too many triangles.")
    return np.asarray(mesh.triangles, dtype=np.float64)


_READERS = {
    Kind.STL_BINARY: read_binary_stl,
    Kind.STL_ASCII: read_ascii_stl,
    Kind.OBJ: read_obj,
    Kind.THREE_MF: read_3mf,
    Kind.STEP: _read_step,
}
