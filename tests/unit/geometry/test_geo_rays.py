"""The numpy ray caster against manifold3d's, which the wall and gap rays used before."""

from __future__ import annotations

import manifold3d
import numpy as np
import pytest
import trimesh
from geo_support import box_triangles

from c2m.engines.geometry import rays
from c2m.engines.geometry.analysis import analyze
from c2m.engines.geometry.rays import first_hits
from c2m.engines.geometry.units import Unit


def _kernel_hits(
    triangles: np.ndarray, origins: np.ndarray, directions: np.ndarray, reach: float
) -> np.ndarray:
    mesh = trimesh.Trimesh(**trimesh.triangles.to_kwargs(triangles))  # merges the corners
    solid = manifold3d.Manifold(
        manifold3d.Mesh(
            vert_properties=np.asarray(mesh.vertices, dtype=np.float32),
            tri_verts=np.asarray(mesh.faces, dtype=np.uint32),
        )
    )
    assert solid.status() == manifold3d.Error.NoError
    out = np.full(len(origins), np.inf)
    for index, (origin, direction) in enumerate(zip(origins, directions, strict=True)):
        hits = solid.ray_cast(origin.tolist(), (origin + direction * reach).tolist())
        if hits:
            out[index] = hits[0].distance * reach
    return out


def _random_rays(count: int, centre: float, spread: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    origins = centre + rng.uniform(-spread, spread, (count, 3))
    directions = rng.normal(size=(count, 3))
    return origins, directions / np.linalg.norm(directions, axis=1, keepdims=True)


@pytest.mark.parametrize("reach", [0.5, 5.0])
def test_fine_sphere_matches_the_kernel(reach: float) -> None:
    sphere = np.asarray(trimesh.creation.icosphere(subdivisions=5, radius=10).triangles)
    origins, directions = _random_rays(1500, 0.0, 12.0)
    ours = first_hits(sphere, origins, directions, reach)
    theirs = _kernel_hits(sphere, origins, directions, reach)
    assert ours is not None
    assert np.isfinite(ours).sum() > 20
    assert (np.isfinite(ours) == np.isfinite(theirs)).all()
    both = np.isfinite(ours)
    assert np.allclose(ours[both], theirs[both], atol=1e-4)


def test_huge_triangles_among_tiny_ones_are_found() -> None:
    """A coarse far box next to a fine sphere: the box's faces span many grid cells each."""
    sphere = np.asarray(trimesh.creation.icosphere(subdivisions=5, radius=5).triangles)
    mixed = np.concatenate([sphere, box_triangles((80, 80, 80), (20, -40, -40))])
    origins, directions = _random_rays(1500, 20.0, 25.0)
    ours = first_hits(mixed, origins, directions, 30.0)
    theirs = _kernel_hits(mixed, origins, directions, 30.0)
    assert ours is not None
    assert np.isfinite(ours).sum() > 300
    assert (np.isfinite(ours) == np.isfinite(theirs)).all()
    both = np.isfinite(ours)
    assert np.allclose(ours[both], theirs[both], atol=1e-4)


def test_rays_through_shared_edges_and_corners_do_not_slip_through() -> None:
    cube = box_triangles((10, 10, 10))
    centre = np.full((3, 3), 5.0)
    targets = np.array(
        [[10.0, 10.0, 5.0], [10.0, 10.0, 10.0], [10.0, 5.0, 5.0]]
    )  # edge, corner, face
    directions = (targets - centre) / np.linalg.norm(targets - centre, axis=1, keepdims=True)
    hits = first_hits(cube, centre, directions, 20.0)
    assert hits is not None
    assert hits == pytest.approx(np.linalg.norm(targets - centre, axis=1))


def test_nothing_within_reach_is_infinite() -> None:
    cube = box_triangles((10, 10, 10))
    origins = np.array([[5.0, 5.0, 5.0], [50.0, 50.0, 50.0]])
    directions = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    short, long = (first_hits(cube, origins, directions, reach) for reach in (4.0, 6.0))
    assert short is not None
    assert long is not None
    assert short.tolist() == [np.inf, np.inf]
    assert long.tolist() == [pytest.approx(5.0), np.inf]


def test_a_fan_of_slivers_goes_to_the_kernel_and_keeps_its_walls() -> None:
    """Every cap triangle of a fan-triangulated disc crosses the centre cells: the grid gives
    up (None) and the analysis casts through manifold3d's BVH instead."""
    disc = np.asarray(trimesh.creation.cylinder(radius=30, height=0.6, sections=3000).triangles)
    origins, directions = _random_rays(2000, 0.0, 20.0)
    assert first_hits(disc, origins, directions, 5.0) is None
    analysis, _ = analyze(disc, unit=Unit.MM)
    assert analysis.min_wall == pytest.approx(0.6, rel=0.02)
    assert analysis.thin_wall_fraction > 0.9


def test_testing_the_pairs_in_chunks_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    sphere = np.asarray(trimesh.creation.icosphere(subdivisions=4, radius=10).triangles)
    origins, directions = _random_rays(1000, 0.0, 12.0)
    whole = first_hits(sphere, origins, directions, 5.0)
    monkeypatch.setattr(rays, "CHUNK", 997)
    chunked = first_hits(sphere, origins, directions, 5.0)
    assert whole is not None
    assert chunked is not None
    assert np.isfinite(whole).sum() > 20
    assert np.array_equal(whole, chunked)
