"""STL readers straight into a (n, 3, 3) triangle array: binary by one ``frombuffer``, ASCII by
line-anchored patterns, so a malformed line is named instead of silently shifting coordinates."""

from __future__ import annotations

import re

import numpy as np

from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.limits import Limits
from c2m.engines.geometry.sniff import STL_HEADER, STL_RECORD
from c2m.engines.geometry.types import Triangles

_RECORD = np.dtype([("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attribute", "<u2")])
_VERTEX_WORD = re.compile(rb"^[ \t]*vertex\b", re.MULTILINE | re.IGNORECASE)
_VERTEX = re.compile(
    rb"^[ \t]*vertex[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]*\r?$", re.MULTILINE | re.IGNORECASE
)


def read_binary_stl(data: bytes, limits: Limits) -> Triangles:
    count = (len(data) - STL_HEADER) // STL_RECORD
    _check_count(count, limits)
    records = np.frombuffer(data, dtype=_RECORD, count=count, offset=STL_HEADER)
    return records["vertices"].astype(np.float64)


def read_ascii_stl(data: bytes, limits: Limits) -> Triangles:
    words = len(_VERTEX_WORD.findall(data))
    if words == 0:
        raise MeshError("no_triangles", "The ASCII STL contains no facets.")
    if words % 3:
        raise MeshError("stl_syntax", f"The ASCII STL has {words} vertices, not three per facet.")
    _check_count(words // 3, limits)
    matches = _VERTEX.findall(data)
    if len(matches) != words:
        line = _first_bad_vertex_line(data)
        raise MeshError(
            "stl_syntax", f"ASCII STL line {line}: a vertex needs exactly three coordinates."
        )
    try:
        values = np.array(matches, dtype=np.float64)
    except ValueError:
        raise MeshError(
            "stl_syntax", "The ASCII STL has a vertex coordinate that is not a number."
        ) from None
    return values.reshape(-1, 3, 3)


def _first_bad_vertex_line(data: bytes) -> int:
    good = {m.start() for m in _VERTEX.finditer(data)}
    for match in _VERTEX_WORD.finditer(data):
        if match.start() not in good:
            return data.count(b"\n", 0, match.start()) + 1
    return 0


def _check_count(count: int, limits: Limits) -> None:
    if count == 0:
        raise MeshError("no_triangles", "The STL contains no triangles.")
    if count > limits.max_triangles:
        raise MeshError(
            "too_many_triangles",
            f"The model has {count:,} triangles; at most {limits.max_triangles:,} are accepted.",
        )
