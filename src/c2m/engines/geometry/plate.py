"""The parametric mounting plate as a mesh: a block with two rows of through holes.

What the mill (or a printer, for a test piece) is sent for a configured plate; the holes sit in
one row along each long edge, evenly spaced, as the template's rules describe them.
"""

from __future__ import annotations

import io

import trimesh

HOLE_SECTIONS = 48  # facets per hole: round enough for a toolpath, small enough to send


def mounting_plate(
    length: float, width: float, thickness: float, hole_count: int, hole_diameter: float
) -> trimesh.Trimesh:
    """The plate in millimetres, centred on the origin, lying on z = 0."""
    plate: trimesh.Trimesh = trimesh.creation.box((length, width, thickness))
    per_row = hole_count // 2
    if per_row:
        offset = width / 2 - 1.5 * hole_diameter
        holes = []
        for i in range(per_row):
            for side in (-1, 1):
                hole = trimesh.creation.cylinder(
                    radius=hole_diameter / 2, height=thickness * 2, sections=HOLE_SECTIONS
                )
                hole.apply_translation(
                    (-length / 2 + length * (i + 0.5) / per_row, side * offset, 0)
                )
                holes.append(hole)
        plate = plate.difference(holes, engine="manifold")
    plate.apply_translation((0, 0, thickness / 2))
    return plate


def stl_bytes(mesh: trimesh.Trimesh) -> bytes:
    out = io.BytesIO()
    mesh.export(out, file_type="stl")
    return out.getvalue()
