"""Hostile uploads through the sandbox: a precise refusal or a verdict within 10 s, never an
exception escaping or a hang."""

from __future__ import annotations

import io
import os
import zipfile

import numpy as np
import pytest
from geo_support import bench_files, binary_stl, box_triangles, needs_bench

from c2m.engines.geometry.sandbox import SandboxLimits, analyze_in_sandbox

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


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_input_is_refused_precisely(name: str) -> None:
    data, code = HOSTILE[name]
    outcome = analyze_in_sandbox(data, sandbox=SandboxLimits(seconds=10))
    assert outcome.seconds < 10
    assert not outcome.ok
    assert outcome.message
    if code is not None:
        assert outcome.code == code, outcome.message


def test_a_valid_3mf_is_read() -> None:
    outcome = analyze_in_sandbox(zipped({MODEL: CUBE_XML.encode()}))
    assert outcome.analysis is not None, outcome.message
    assert outcome.analysis.volume == pytest.approx(1000.0)
    assert outcome.thumbnail is not None
    assert outcome.thumbnail.startswith(b"\x89PNG")


def test_a_hang_is_killed_and_reported() -> None:
    big = binary_stl(np.tile(CUBE, (20000, 1, 1)))
    outcome = analyze_in_sandbox(big, sandbox=SandboxLimits(seconds=0.05))
    assert (outcome.code, outcome.ok) == ("timeout", False)


def test_the_memory_cap_is_reported() -> None:
    many = binary_stl(np.tile(CUBE, (20000, 1, 1)))  # needs fresh allocations, beyond the cap
    outcome = analyze_in_sandbox(many, sandbox=SandboxLimits(memory_bytes=64 * 1024**2))
    assert outcome.code in {"memory", "crashed"}


@needs_bench
def test_every_broken_bench_file_through_the_sandbox() -> None:
    for path in bench_files("broken"):
        outcome = analyze_in_sandbox(path.read_bytes(), sandbox=SandboxLimits(seconds=10))
        assert outcome.seconds < 10, path.name
        assert outcome.ok or (outcome.code and outcome.message), path.name
        if outcome.analysis is not None and not outcome.analysis.valid_solid:
            assert outcome.analysis.volume is None
