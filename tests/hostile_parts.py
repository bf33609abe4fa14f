"""Hostile part files, made on the fly: each is refused with a precise code (or, for random bytes,
some refusal), by the geometry engine and through the upload API alike."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import numpy as np


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


MODEL = "3D/3dmodel.model"
CUBE_XML = (
    '<?xml version="1.0"?><model xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02" '
    'unit="millimeter"><resources><object id="1" type="model"><mesh><vertices>'
    + "".join(
        f'<vertex x="{x}" y="{y}" z="{z}"/>' for x in (0, 10) for y in (0, 10) for z in (0, 10)
    )
    + "</vertices><triangles>"
    + "".join(
        f'<triangle v1="{a}" v2="{b}" v3="{c}"/>'
        for a, b, c in [
            (0, 2, 6),
            (0, 6, 4),
            (1, 5, 7),
            (1, 7, 3),
            (0, 4, 5),
            (0, 5, 1),
            (2, 3, 7),
            (2, 7, 6),
            (0, 1, 3),
            (0, 3, 2),
            (4, 6, 7),
            (4, 7, 5),
        ]
    )
    + '</triangles></mesh></object></resources><build><item objectid="1"/></build></model>'
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE model [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    '<model xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">&d;</model>'
)


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


CUBE = box_triangles((10, 10, 10))
NAN = CUBE.copy()
NAN[3, 1, 2] = np.nan
INF = CUBE.copy()
INF[0, 0, 0] = np.inf
HOSTILE: dict[str, tuple[bytes, str | None]] = {
    "header claims more": (binary_stl(CUBE, declared=1000), "stl_count_mismatch"),
    "nan": (binary_stl(NAN), "non_finite"),
    "infinite": (binary_stl(INF), "non_finite"),
    "zip bomb": (zipped({MODEL: b"<model>" + b" " * 200_000_000 + b"</model>"}), "archive_bomb"),
    "zip slip": (zipped({MODEL: CUBE_XML.encode(), "../../evil.txt": b"x"}), "unsafe_archive"),
    "billion laughs": (zipped({MODEL: LAUGHS.encode()}), "unsafe_xml"),
    "zip not 3mf": (zipped({"readme.txt": b"hello"}), "not_a_model"),
    "png": (b"\x89PNG\r\n\x1a\n" + os.urandom(1000), "not_a_model"),
    "empty": (b"", "empty"),
    "random 10 MB": (np.random.default_rng(1).bytes(10 * 1024 * 1024), None),
    "step": (b"ISO-10303-21;\nHEADER;\nENDSEC;\n", "step_unavailable"),
}
