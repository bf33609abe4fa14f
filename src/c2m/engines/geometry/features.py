"""Manufacturing features of a solid: overhangs needing support, wall thickness and narrow gaps
(rays cast from sampled surface points, so time is bounded by the sample count, not the mesh),
and the axis directions a 3-axis mill must come from."""

from __future__ import annotations

import math
from dataclasses import dataclass

import manifold3d
import numpy as np

from c2m.engines.geometry.rays import first_hits
from c2m.engines.geometry.solid import merge_vertices
from c2m.engines.geometry.types import Floats, Ints, Triangles, bounds, cross, dot

OVERHANG_ANGLE = 45.0  # degrees from the build direction; steeper downward faces need support
BED_TOLERANCE = 0.01  # mm: faces this close to the lowest point rest on the bed
PROBE = 5.0  # mm: walls and gaps thicker than this are not reported
SAMPLES = 2000
AXES: dict[str, tuple[int, int]] = {
    "+z": (2, 1),
    "-z": (2, -1),
    "+x": (0, 1),
    "-x": (0, -1),
    "+y": (1, 1),
    "-y": (1, -1),
}  # direction: (axis, sign)


@dataclass(frozen=True, slots=True)
class Surface:
    """Faces with their unit normals (zero for degenerate faces) and areas, computed once and
    shared by every feature."""

    triangles: Triangles
    normals: Floats
    areas: Floats

    @classmethod
    def of(cls, triangles: Triangles) -> Surface:
        product = cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
        doubled = np.sqrt(dot(product, product))
        normals = np.divide(
            product, doubled[:, None], out=np.zeros_like(product), where=doubled[:, None] > 0
        )
        return cls(triangles, normals, doubled / 2)


@dataclass(frozen=True, slots=True)
class Overhang:
    area: float
    support_volume: float  # overhang area projected down to the bed, times its height


@dataclass(frozen=True, slots=True)
class Walls:
    """Thinnest wall and narrowest gap found, in mm (None: none below ``PROBE``)."""

    min_wall: float | None
    thin_fraction: float  # share of samples whose wall is below 1 mm
    min_gap: float | None
    samples: int


def overhang(surface: Surface) -> Overhang:
    normals, tri = surface.normals, surface.triangles
    bottom = float(tri[:, :, 2].min())
    down = normals[:, 2] < -math.cos(math.radians(OVERHANG_ANGLE))
    z = tri[down][:, :, 2]  # corner by corner below: reductions over rows of three are slow
    bed = bottom + BED_TOLERANCE
    on_bed = (z[:, 0] <= bed) & (z[:, 1] <= bed) & (z[:, 2] <= bed)
    down[down] = ~on_bed
    areas = surface.areas[down]
    heights = ((z[:, 0] + z[:, 1] + z[:, 2]) / 3)[~on_bed] - bottom
    projected = areas * -normals[down, 2]
    return Overhang(area=float(areas.sum()), support_volume=float((projected * heights).sum()))


def walls(surface: Surface, boundary: Triangles, seed: int = 0) -> Walls:
    """From each sample, one ray inward (wall) and one outward (gap) along the face normal, cast
    on ``boundary``: the faces that bound the material."""
    count = min(SAMPLES, max(len(surface.areas), 200))
    points, faces = _sample(surface, count, seed)
    normals = surface.normals[faces]
    low, high = bounds(surface.triangles.reshape(-1, 3))
    start = 1e-4 * max(float(np.linalg.norm(high - low)), 1.0)
    origins = np.concatenate([points - normals * start, points + normals * start])
    directions = np.concatenate([-normals, normals])
    hits = first_hits(boundary, origins, directions, PROBE)
    if hits is None:
        hits = _kernel_hits(boundary, origins, directions)
    wall, gap = hits[:count], hits[count:]
    return Walls(
        min_wall=_robust_min(wall[np.isfinite(wall)]),
        thin_fraction=float((wall < 1.0).mean()) if len(wall) else 0.0,
        min_gap=_robust_min(gap[np.isfinite(gap)]),
        samples=count,
    )


def _sample(surface: Surface, count: int, seed: int) -> tuple[Floats, Ints]:
    """Points spread evenly over the area: a face chosen by area, then a uniform point in it."""
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(surface.areas)
    faces = np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right")
    faces = np.minimum(faces, len(cumulative) - 1).astype(np.int64)
    u, v = rng.random(count), rng.random(count)
    outside = u + v > 1
    u[outside], v[outside] = 1 - u[outside], 1 - v[outside]
    tri = surface.triangles[faces]
    points = tri[:, 0] + u[:, None] * (tri[:, 1] - tri[:, 0]) + v[:, None] * (tri[:, 2] - tri[:, 0])
    return points, faces


def _kernel_hits(boundary: Triangles, origins: Floats, directions: Floats) -> Floats:
    """The rays through manifold3d's BVH, for meshes the grid cannot split (see ``first_hits``)."""
    vertices, faces = merge_vertices(boundary)
    solid = manifold3d.Manifold(
        manifold3d.Mesh(
            vert_properties=np.ascontiguousarray(vertices, dtype=np.float32),
            tri_verts=np.ascontiguousarray(faces, dtype=np.uint32),
        )
    )
    ends = origins + directions * PROBE
    out = np.full(len(origins), np.inf)
    for index, (origin, end) in enumerate(zip(origins.tolist(), ends.tolist(), strict=True)):
        hits = solid.ray_cast(origin, end)
        if hits:
            out[index] = hits[0].distance * PROBE
    return out


def _robust_min(values: Floats) -> float | None:
    """The 1st percentile, so one stray ray grazing an edge does not define the part."""
    if len(values) < 3:
        return None
    return float(np.percentile(values, 1))


def setup_directions(surface: Surface) -> tuple[str, ...]:
    """Fewest axis directions from which every face is visible (facing or vertical): a face
    is reachable from d when its normal does not point away from d. Occlusion is not checked."""
    normals, areas = surface.normals, surface.areas
    total = float(areas.sum())
    names = list(AXES)
    reach = {name: normals[:, axis] * sign >= -1e-3 for name, (axis, sign) in AXES.items()}
    best: tuple[str, ...] = tuple(names)
    for mask in range(1, 1 << len(names)):
        chosen = tuple(name for bit, name in enumerate(names) if mask >> bit & 1)
        if len(chosen) >= len(best):
            continue
        covered = np.logical_or.reduce([reach[name] for name in chosen])
        if float(areas[covered].sum()) >= total * 0.999:
            best = chosen
    return best
