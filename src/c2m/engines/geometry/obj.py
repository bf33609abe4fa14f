"""Wavefront OBJ: vertices and faces only (polygons fanned into triangles); materials, textures
and referenced files are ignored, so an upload never makes the server open another file."""

from __future__ import annotations

import itertools

import numpy as np

from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.limits import Limits
from c2m.engines.geometry.types import Triangles


def read_obj(data: bytes, limits: Limits) -> Triangles:
    vertices: list[tuple[float, float, float]] = []
    faces: list[tuple[int, int, int]] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        parts = raw.split()
        if not parts:
            continue
        if parts[0] == b"v":
            vertices.append(_vertex(parts, number))
        elif parts[0] == b"f":
            corners = [_index(token, len(vertices), number) for token in parts[1:]]
            if len(corners) < 3:
                raise MeshError("obj_syntax", f"OBJ line {number}: a face needs three corners.")
            faces.extend((corners[0], a, b) for a, b in itertools.pairwise(corners))
            if len(faces) > limits.max_triangles:
                raise MeshError(
                    "too_many_triangles",
                    f"The model has more than {limits.max_triangles:,} triangles.",
                )
    if not faces:
        raise MeshError("no_triangles", "The OBJ file contains no faces.")
    return np.asarray(vertices, dtype=np.float64)[np.asarray(faces, dtype=np.int64)]


def _vertex(parts: list[bytes], number: int) -> tuple[float, float, float]:
    try:
        x, y, z = (float(value) for value in parts[1:4])
    except ValueError:
        raise MeshError("obj_syntax", f"OBJ line {number}: a vertex needs three numbers.") from None
    return x, y, z


def _index(token: bytes, known: int, number: int) -> int:
    """OBJ indices start at 1; negative ones count back from the last vertex read so far."""
    try:
        value = int(token.split(b"/")[0])
    except ValueError:
        raise MeshError("obj_syntax", f"OBJ line {number}: bad vertex index {token!r}.") from None
    index = value - 1 if value > 0 else known + value
    if not 0 <= index < known:
        raise MeshError("obj_syntax", f"OBJ line {number}: vertex {value} does not exist.")
    return index
