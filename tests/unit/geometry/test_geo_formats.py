"""Format readers and the measurement rules on hand-made parts."""

from __future__ import annotations

import numpy as np
import pytest
from geo_support import binary_stl, box_triangles

from c2m.engines.geometry.analysis import analyze, analyze_bytes
from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.sniff import Kind, sniff
from c2m.engines.geometry.thumbnail import render_png
from c2m.engines.geometry.units import Unit

CUBE = box_triangles((20, 20, 20))


def ascii_stl(triangles: np.ndarray) -> bytes:
    facets = "".join(
        "facet normal 0 0 0\nouter loop\n"
        + "".join(f"vertex {x} {y} {z}\n" for x, y, z in triangle)
        + "endloop\nendfacet\n"
        for triangle in triangles.tolist()
    )
    return f"solid part\n{facets}endsolid part\n".encode()


def obj(triangles: np.ndarray) -> bytes:
    lines = [f"v {x} {y} {z}" for x, y, z in triangles.reshape(-1, 3).tolist()]
    lines += [f"f {3 * i + 1} {3 * i + 2} {3 * i + 3}" for i in range(len(triangles))]
    return ("# part\n" + "\n".join(lines)).encode()


@pytest.mark.parametrize(("data", "kind"), [(binary_stl(CUBE), Kind.STL_BINARY),
                                            (ascii_stl(CUBE), Kind.STL_ASCII),
                                            (obj(CUBE), Kind.OBJ)])  # fmt: skip
def test_formats_by_content_give_the_same_cube(data: bytes, kind: Kind) -> None:
    assert sniff(data) is kind
    analysis, _ = analyze_bytes(data)
    assert analysis.volume == pytest.approx(8000.0)
    assert analysis.surface_area == pytest.approx(2400.0)
    assert analysis.size == pytest.approx((20, 20, 20))
    assert analysis.setup_directions == ("+z", "-z")


def test_a_bad_ascii_line_is_named() -> None:
    data = ascii_stl(CUBE).replace(b"vertex 0.0 0.0 0.0", b"vertex 0.0 0.0", 1)
    with pytest.raises(MeshError, match=r"line \d+"):
        analyze_bytes(data)


def test_open_surface_has_no_volume() -> None:
    analysis, _ = analyze(CUBE[:-1])
    assert not analysis.valid_solid
    assert analysis.volume is None
    assert analysis.open_edges == 3


def test_inside_out_part_is_turned_around() -> None:
    analysis, _ = analyze(CUBE[:, ::-1])
    assert analysis.volume == pytest.approx(8000.0)
    assert analysis.inverted_bodies == 1


def test_a_one_sided_surface_is_not_a_solid() -> None:
    """The six-vertex projective plane: every edge borders two triangles, yet no winding of its
    faces is consistent, so it has no outside and no volume."""
    faces = np.array([(0, 1, 2), (0, 2, 3), (0, 3, 4), (0, 4, 5), (0, 5, 1),
                      (1, 2, 4), (2, 3, 5), (3, 4, 1), (4, 5, 2), (5, 1, 3)])  # fmt: skip
    corners = np.random.default_rng(1).normal(size=(6, 3)) * 10
    analysis, _ = analyze(corners[faces])
    assert (analysis.open_edges, analysis.nonmanifold_edges) == (0, 0)
    assert not analysis.valid_solid
    assert analysis.volume is None
    assert analysis.problem is not None
    assert "one-sided" in analysis.problem


def test_a_cavity_is_subtracted() -> None:
    inner = box_triangles((10, 10, 10), (5, 5, 5))[:, ::-1]
    analysis, _ = analyze(np.concatenate([CUBE, inner]))
    assert analysis.volume == pytest.approx(7000.0)
    assert analysis.inverted_bodies == 0
    assert not analysis.overlapping_bodies
    assert analysis.min_wall == pytest.approx(5.0, rel=0.02)


def test_overhang_excludes_the_bed_and_counts_a_ledge() -> None:
    ledge = box_triangles((20, 20, 5), (0, 0, 15))  # floating slab: its underside overhangs
    analysis, _ = analyze(ledge)
    assert analysis.overhang_area == pytest.approx(0.0)  # its bottom is the lowest point
    tee = np.concatenate([box_triangles((4, 4, 15), (8, 8, 0)), ledge])
    analysis, _ = analyze(tee)
    assert analysis.overhang_area == pytest.approx(400.0)  # the whole slab underside
    assert analysis.overlapping_bodies is False


def test_thin_plate_is_flagged() -> None:
    analysis, _ = analyze(box_triangles((40, 40, 0.6)), unit=Unit.MM)
    assert analysis.min_wall == pytest.approx(0.6, rel=0.02)
    assert analysis.thin_wall_fraction > 0.9


def test_thumbnail_is_a_small_png() -> None:
    png = render_png(CUBE)
    assert png.startswith(b"\x89PNG")
    assert len(png) < 100_000
