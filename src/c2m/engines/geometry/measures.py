"""What the analysis of a part found, as plain data: the web tier reads, stores and prices it
without loading numpy or the mesh libraries that found it."""

from __future__ import annotations

from dataclasses import dataclass

from c2m.engines.geometry.units import Unit

Vector = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything measured about one part. Lengths in mm; ``volume`` is None unless
    ``valid_solid``, so a wrong volume can never reach a price."""

    format: str
    triangles: int
    unit: Unit
    units_confidence: float
    needs_confirmation: bool
    units_reason: str
    bounds_min: Vector
    bounds_max: Vector
    size: Vector
    surface_area: float
    bodies: int
    watertight: bool
    open_edges: int
    nonmanifold_edges: int
    winding_consistent: bool
    inverted_bodies: int
    overlapping_bodies: bool
    degenerate_faces: int
    valid_solid: bool
    problem: str | None
    volume: float | None
    overhang_area: float
    support_volume: float
    min_wall: float | None
    thin_wall_fraction: float
    min_gap: float | None
    setup_directions: tuple[str, ...]
