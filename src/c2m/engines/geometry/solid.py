"""Is this a solid, and how much material is it? Topology first (every edge shared by exactly two
triangles), then per-body orientation, then a boolean union so overlapping bodies count once and
inner shells count as cavities."""

from __future__ import annotations

from dataclasses import dataclass, field

import manifold3d
import numpy as np
import numpy.typing as npt
import trimesh
from trimesh.graph import connected_component_labels

MAX_BOOLEAN_BODIES = 500
_RELATIVE = 1e-9  # of the bounding box's largest side cubed: below this a volume is zero


@dataclass(slots=True)
class Solid:
    """Topology and material of a merged mesh; ``volume`` is None unless it is a valid solid."""

    mesh: trimesh.Trimesh
    body_of_face: npt.NDArray[np.int64]
    bodies: int
    open_edges: int
    nonmanifold_edges: int
    winding_consistent: bool
    inverted_bodies: int = 0
    overlapping_bodies: bool = False
    volume: float | None = None
    problem: str | None = None
    manifold: manifold3d.Manifold | None = field(default=None, repr=False)


def build_solid(triangles: npt.NDArray[np.float64]) -> Solid:
    mesh = trimesh.Trimesh(
        vertices=triangles.reshape(-1, 3),
        faces=np.arange(len(triangles) * 3, dtype=np.int64).reshape(-1, 3),
        process=True,  # merges coincident corners so the faces share edges
        validate=False,
    )
    collapsed = (mesh.faces[:, 0] == mesh.faces[:, 1]) | (mesh.faces[:, 1] == mesh.faces[:, 2])
    collapsed |= mesh.faces[:, 0] == mesh.faces[:, 2]
    if collapsed.any():  # corners merged into one point: no edge, no area, no topology
        mesh.update_faces(~collapsed)
        mesh.remove_unreferenced_vertices()
    edges = np.sort(mesh.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    keys = edges[:, 0] * np.int64(len(mesh.vertices)) + edges[:, 1]
    _, counts = np.unique(keys, return_counts=True)
    labels = np.asarray(
        connected_component_labels(mesh.face_adjacency, node_count=len(mesh.faces)),  # type: ignore[no-untyped-call]
        dtype=np.int64,
    )
    solid = Solid(
        mesh=mesh,
        body_of_face=labels,
        bodies=int(labels.max()) + 1,
        open_edges=int((counts == 1).sum()),
        nonmanifold_edges=int((counts > 2).sum()),
        winding_consistent=bool(mesh.is_winding_consistent),
    )
    if solid.nonmanifold_edges:
        solid.problem = (
            f"non-manifold: {solid.nonmanifold_edges:,} edges are shared by more than two triangles"
        )
    elif solid.open_edges:
        solid.problem = f"open surface: {solid.open_edges:,} edges border only one triangle (holes)"
    else:
        if not solid.winding_consistent:
            trimesh.repair.fix_winding(mesh)  # type: ignore[no-untyped-call]
        _measure(solid)
    return solid


def _measure(solid: Solid) -> None:
    """Union the outward bodies; an inside-out body is a cavity when it lies inside them,
    otherwise a body whose faces point the wrong way, which is flipped and counted."""
    mesh, labels = solid.mesh, solid.body_of_face
    tri = mesh.triangles
    signed = np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])) / 6.0
    per_body = np.bincount(labels, weights=signed, minlength=solid.bodies)
    tiny = _RELATIVE * float(np.ptp(mesh.vertices, axis=0).max()) ** 3
    if solid.bodies > MAX_BOOLEAN_BODIES:
        solid.problem = f"{solid.bodies:,} separate bodies: too many to check for overlaps"
        return
    if solid.bodies == 1:  # the common case: no per-body copies
        pieces = [_manifold(mesh.vertices, mesh.faces, flip=per_body[0] < 0, whole=True)]
    else:
        pieces = [
            _manifold(mesh.vertices, mesh.faces[labels == body], flip=per_body[body] < 0)
            for body in range(solid.bodies)
        ]
    if any(piece.status() != manifold3d.Error.NoError for piece in pieces):
        solid.problem = "the geometry kernel rejects the mesh as a solid"
        return
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
            mesh.faces[labels == body] = mesh.faces[labels == body][:, ::-1]
            result = result + shell
            separate -= float(per_body[body])
    volume = float(result.volume())
    solid.overlapping_bodies = solid.bodies > 1 and volume < separate * (1 - 1e-4)
    if volume <= tiny:
        solid.problem = "the surface encloses no volume"
        return
    solid.volume = volume
    solid.manifold = result


def _manifold(
    vertices: npt.NDArray[np.float64],
    faces: npt.NDArray[np.int64],
    flip: bool,
    whole: bool = False,
) -> manifold3d.Manifold:
    faces = faces[:, ::-1] if flip else faces
    if whole:
        used, local = np.arange(len(vertices)), faces
    else:
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
