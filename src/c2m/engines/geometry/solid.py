"""Is this a solid, and how much material is it? Topology first (every edge shared by exactly two
triangles), then per-body orientation; one body's volume is its signed sum, several bodies are
fused by a boolean union so overlapping bodies count once and inner shells count as cavities."""

from __future__ import annotations

from dataclasses import dataclass

import manifold3d
import numpy as np
import numpy.typing as npt
import trimesh
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from c2m.engines.geometry.types import Floats, Ints, bounds, cross, dot

MAX_BOOLEAN_BODIES = 500
MERGE_DECIMALS = 8  # corners closer than 1e-8 mm are one vertex (trimesh's merge tolerance)
_RELATIVE = 1e-9  # of the bounding box's largest side cubed: below this a volume is zero


@dataclass(slots=True)
class Solid:
    """Topology and material of a merged mesh; ``volume`` is None unless it is a valid solid.
    ``faces`` are turned outward once the solid is measured. ``fused``: the surface of the union
    when several bodies were fused (rays must not stop at a face buried in another body)."""

    vertices: Floats
    faces: Ints
    body_of_face: Ints
    bodies: int
    open_edges: int
    nonmanifold_edges: int
    winding_consistent: bool
    inverted_bodies: int = 0
    overlapping_bodies: bool = False
    volume: float | None = None
    problem: str | None = None
    fused: Floats | None = None


@dataclass(frozen=True, slots=True)
class _Edges:
    """Every undirected edge once, from one sort of the faces' directed edges."""

    open: int
    nonmanifold: int
    pairs: Ints  # (k, 2) faces meeting at an edge shared by exactly two triangles
    consistent: bool  # those two triangles run the shared edge in opposite directions


def build_solid(triangles: Floats) -> Solid:
    vertices, faces = merge_vertices(triangles)
    collapsed = (faces[:, 0] == faces[:, 1]) | (faces[:, 1] == faces[:, 2])
    collapsed |= faces[:, 0] == faces[:, 2]
    if collapsed.any():  # corners merged into one point: no edge, no area, no topology
        used, local = np.unique(faces[~collapsed], return_inverse=True)
        vertices, faces = vertices[used], local.reshape(-1, 3).astype(np.int64)
    edges = _edges(faces, len(vertices))
    _, labels = connected_components(
        coo_matrix(
            (np.ones(len(edges.pairs), dtype=np.int8), (edges.pairs[:, 0], edges.pairs[:, 1])),
            shape=(len(faces), len(faces)),
        ),
        directed=False,
    )
    labels = labels.astype(np.int64)
    solid = Solid(
        vertices=vertices,
        faces=faces,
        body_of_face=labels,
        bodies=int(labels.max()) + 1,
        open_edges=edges.open,
        nonmanifold_edges=edges.nonmanifold,
        winding_consistent=edges.consistent,
    )
    if solid.nonmanifold_edges:
        solid.problem = (
            f"non-manifold: {solid.nonmanifold_edges:,} edges are shared by more than two triangles"
        )
    elif solid.open_edges:
        solid.problem = f"open surface: {solid.open_edges:,} edges border only one triangle (holes)"
    else:
        if not solid.winding_consistent:
            repaired = trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
            trimesh.repair.fix_winding(repaired)  # type: ignore[no-untyped-call]
            solid.faces = np.asarray(repaired.faces, dtype=np.int64)
            if not _edges(solid.faces, len(vertices)).consistent:
                solid.problem = "one-sided surface: no winding of its faces has an outside"
                return solid
        _measure(solid)
    return solid


def merge_vertices(triangles: Floats) -> tuple[Floats, Ints]:
    """Coincident corners become one vertex, so faces share edges. One sort of a 64-bit hash of
    the rounded coordinates; the grouping is then verified exactly (a hash collision, never seen
    in practice, falls back to an exact row sort)."""
    corners = triangles.reshape(-1, 3)
    rounded = np.round(corners, MERGE_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    bits = np.ascontiguousarray(rounded).view(np.uint64)
    key = _mix(_mix(_mix(bits[:, 0]) ^ bits[:, 1]) ^ bits[:, 2])
    order = np.argsort(key)
    ordered = key[order]
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    first = order[starts]
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = np.cumsum(starts) - 1
    if not (bits[first][ids] == bits).all():
        _, first, ids = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    return corners[first], ids.reshape(-1, 3).astype(np.int64)


def _mix(value: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser: every input bit moves every output bit."""
    value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(31))


def _edges(faces: Ints, vertex_count: int) -> _Edges:
    directed = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    low = np.minimum(directed[:, 0], directed[:, 1])  # not .min(axis=1): 15x slower on pairs
    keys = low * np.int64(vertex_count) + np.maximum(directed[:, 0], directed[:, 1])
    order = np.argsort(keys)
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    counts = np.diff(np.r_[starts, len(keys)])
    twice = starts[counts == 2]
    one, other = order[twice], order[twice + 1]
    return _Edges(
        open=int((counts == 1).sum()),
        nonmanifold=int((counts > 2).sum()),
        pairs=np.stack([one // 3, other // 3], axis=1),
        consistent=bool((directed[one, 1] == directed[other, 0]).all()),
    )


def _measure(solid: Solid) -> None:
    """One body: its signed volume, negative when the faces point inward (flipped and counted).
    Several: the union of the outward bodies; an inside-out body is a cavity when it lies inside
    them, otherwise a body whose faces point the wrong way, which is flipped and counted."""
    tri = solid.vertices[solid.faces]
    signed = dot(tri[:, 0], cross(tri[:, 1], tri[:, 2])) / 6.0
    per_body = np.bincount(solid.body_of_face, weights=signed, minlength=solid.bodies).astype(float)
    low, high = bounds(solid.vertices)
    tiny = _RELATIVE * float((high - low).max()) ** 3
    if solid.bodies > MAX_BOOLEAN_BODIES:
        solid.problem = f"{solid.bodies:,} separate bodies: too many to check for overlaps"
        return
    if solid.bodies == 1:  # the common case: no geometry kernel needed
        if per_body[0] < 0:
            solid.inverted_bodies = 1
            solid.faces = solid.faces[:, ::-1]
        volume: float | None = abs(float(per_body[0]))
    else:
        volume = _fuse(solid, per_body, tiny)
    if volume is None:
        return
    if volume <= tiny:
        solid.problem = "the surface encloses no volume"
        return
    solid.volume = volume


def _fuse(solid: Solid, per_body: Floats, tiny: float) -> float | None:
    """The volume of the bodies' union, which is kept in ``fused``; None if the kernel refuses."""
    labels = solid.body_of_face
    pieces = [
        _manifold(solid.vertices, solid.faces[labels == body], flip=per_body[body] < 0)
        for body in range(solid.bodies)
    ]
    if any(piece.status() != manifold3d.Error.NoError for piece in pieces):
        solid.problem = "the geometry kernel rejects the mesh as a solid"
        return None
    outward = [piece for piece, volume in zip(pieces, per_body, strict=True) if volume >= 0]
    result = manifold3d.Manifold.batch_boolean(outward, manifold3d.OpType.Add)
    separate = float(per_body[per_body >= 0].sum())  # the volume if nothing overlapped
    for body in np.flatnonzero(per_body < 0):
        shell = pieces[body]
        if outward and _encloses(result, shell, tiny):
            result = result - shell
            separate += float(per_body[body])
        else:
            solid.inverted_bodies += 1
            solid.faces[labels == body] = solid.faces[labels == body][:, ::-1]
            result = result + shell
            separate -= float(per_body[body])
    volume = float(result.volume())
    solid.overlapping_bodies = volume < separate * (1 - 1e-4)
    mesh = result.to_mesh()
    corners = np.asarray(mesh.vert_properties, dtype=np.float64)[:, :3]
    solid.fused = corners[np.asarray(mesh.tri_verts, dtype=np.int64)]
    return volume


def _manifold(vertices: Floats, faces: Ints, flip: bool) -> manifold3d.Manifold:
    faces = faces[:, ::-1] if flip else faces
    used, local = np.unique(faces, return_inverse=True)
    mesh = manifold3d.Mesh(
        vert_properties=np.ascontiguousarray(vertices[used], dtype=np.float32),
        tri_verts=np.ascontiguousarray(local.reshape(-1, 3), dtype=np.uint32),
    )
    return manifold3d.Manifold(mesh)


def _encloses(solid: manifold3d.Manifold, shell: manifold3d.Manifold, tiny: float) -> bool:
    """The shell is a cavity of the solid when subtracting it removes its whole volume."""
    removed = float(solid.volume()) - float((solid - shell).volume())
    return abs(removed - float(shell.volume())) <= max(1e-4 * float(shell.volume()), tiny)
