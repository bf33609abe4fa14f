"""From triangles to the facts a quote needs, in millimetres."""

from __future__ import annotations

import numpy as np

from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.limits import DEFAULT_LIMITS, Limits
from c2m.engines.geometry.measures import Analysis, Vector
from c2m.engines.geometry.readers import read_triangles
from c2m.engines.geometry.types import Triangles, bounds, cross, dot
from c2m.engines.geometry.units import TO_MM, Unit, guess_unit


def analyze_bytes(
    data: bytes, unit: Unit | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[Analysis, Triangles]:
    """Read and analyse a file; also returns the triangles in mm for the thumbnail (turned
    outward when the part is a valid solid)."""
    kind, triangles = read_triangles(data, limits)
    return analyze(triangles, kind.value, unit)


def analyze(
    raw: Triangles, format_name: str = "mesh", unit: Unit | None = None
) -> tuple[Analysis, Triangles]:
    # Imported here, the only user: the web tier needs ``Analysis`` but not trimesh or SciPy.
    from c2m.engines.geometry.features import Surface, overhang, setup_directions, walls
    from c2m.engines.geometry.solid import build_solid

    low, high = bounds(raw.reshape(-1, 3))
    guess = guess_unit(high - low)
    if unit is not None:
        chosen, confidence, confirm, reason = unit, 1.0, False, "given"
    else:
        chosen, confidence = guess.unit, guess.confidence
        confirm, reason = guess.needs_confirmation, guess.reason
    triangles = raw * TO_MM[chosen]
    product = cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    areas = np.sqrt(dot(product, product)) / 2
    scale = float((high - low).max()) * TO_MM[chosen]
    degenerate = areas <= 1e-12 * max(scale, 1e-9) ** 2
    if degenerate.all():
        raise MeshError(
            "degenerate", f"All {len(triangles):,} triangles have zero area; there is no surface."
        )
    solid = build_solid(triangles)
    surface = Surface.of(solid.vertices[solid.faces])
    hang = overhang(surface)
    boundary = surface.triangles if solid.fused is None else solid.fused
    wall = walls(surface, boundary) if solid.volume is not None else None
    analysis = Analysis(
        format=format_name,
        triangles=len(raw),
        unit=chosen,
        units_confidence=confidence,
        needs_confirmation=confirm,
        units_reason=reason,
        bounds_min=_vector(low * TO_MM[chosen]),
        bounds_max=_vector(high * TO_MM[chosen]),
        size=_vector((high - low) * TO_MM[chosen]),
        surface_area=float(areas.sum()),
        bodies=solid.bodies,
        watertight=not (solid.open_edges or solid.nonmanifold_edges),
        open_edges=solid.open_edges,
        nonmanifold_edges=solid.nonmanifold_edges,
        winding_consistent=solid.winding_consistent,
        inverted_bodies=solid.inverted_bodies,
        overlapping_bodies=solid.overlapping_bodies,
        degenerate_faces=int(degenerate.sum()),
        valid_solid=solid.volume is not None,
        problem=solid.problem,
        volume=solid.volume,
        overhang_area=hang.area,
        support_volume=hang.support_volume,
        min_wall=wall.min_wall if wall else None,
        thin_wall_fraction=wall.thin_fraction if wall else 0.0,
        min_gap=wall.min_gap if wall else None,
        setup_directions=setup_directions(surface),
    )
    return analysis, surface.triangles if analysis.valid_solid else triangles


def _vector(values: np.ndarray) -> Vector:
    x, y, z = (float(value) for value in values)
    return x, y, z
