"""Nearest hit of a few thousand short rays on a triangle soup, in numpy. Triangles are binned
into a uniform grid (each into every cell its box overlaps) and a ray tests only the triangles of
the cells its segment passes through, so no geometry kernel object has to be built for a cast
that needs a fraction of the mesh."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from c2m.engines.geometry.types import Floats, Ints, Triangles, cross, dot

STEPS = 16  # at most this many cells along a ray: caps the work per ray for dense meshes
AXIS_CELLS = 1 << 20  # per axis, so a cell key fits in 64 bits
PAIRS_PER_TRIANGLE = 4  # a BVH costs about this many grid entries or tests per triangle
PAIRS_FREE = 50_000  # entries and tests that cost less than building anything
CHUNK = 1_000_000  # pairs tested at once: ~300 bytes each in flight, well inside the sandbox
SLACK = 1e-9  # of the barycentric coordinates: a ray through a shared edge hits both sides
_CORNERS = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=np.int64)


def first_hits(
    triangles: Triangles, origins: Floats, directions: Floats, reach: float
) -> Floats | None:
    """Distance from each origin along its unit direction to the nearest triangle, inf when none
    is within ``reach``. A ray through a shared edge or corner hits (a small tolerance), so it
    never slips between two faces. None when the grid cannot separate the triangles (long
    slivers, such as a fan-triangulated disc, all crossing the same cells): a BVH does better."""
    out = np.full(len(origins), np.inf)
    if not len(origins) or not len(triangles):
        return out
    most = PAIRS_FREE + PAIRS_PER_TRIANGLE * len(triangles)  # for the grid and for the tests
    grid = _Grid.of(triangles, reach, most)
    pairs = None if grid is None else grid.candidates(origins, directions, reach, most)
    if pairs is None:
        return None
    rays, candidates = pairs
    for start in range(0, len(rays), CHUNK):
        ray, near = rays[start : start + CHUNK], candidates[start : start + CHUNK]
        distance = _intersect(triangles[near], origins[ray], directions[ray])
        hit = distance <= reach
        np.minimum.at(out, ray[hit], distance[hit])
    return out


@dataclass(frozen=True, slots=True)
class _Grid:
    """Cells of side ``size``, cell (0, 0, 0) starting one cell before ``origin``; ``keys``
    sorted, ``owners`` the triangle binned under each."""

    origin: Floats
    size: float
    shape: Ints
    keys: Ints
    owners: Ints

    @classmethod
    def of(cls, triangles: Triangles, reach: float, most: int) -> _Grid | None:
        """About one cell per triangle in the bounding box, but at most ``STEPS`` cells along a
        ray; None if the triangles' boxes would fill more than ``most`` cells."""
        corners = triangles.reshape(-1, 9)
        low = np.stack([np.minimum(np.minimum(corners[:, a], corners[:, a + 3]), corners[:, a + 6])
                        for a in range(3)])  # fmt: skip
        high = np.stack([np.maximum(np.maximum(corners[:, a], corners[:, a + 3]), corners[:, a + 6])
                         for a in range(3)])  # fmt: skip
        origin = low.min(axis=1)
        extent = high.max(axis=1) - origin
        longest = max(float(extent.max()), 1e-300)
        size = max(
            float(np.prod(np.maximum(extent, longest * 1e-3)) / len(triangles)) ** (1 / 3),
            min(reach, float(np.linalg.norm(extent))) / STEPS,
            longest / (AXIS_CELLS - 3),
        )
        pad = size * 1e-6  # a hit on a cell border is in the cells of both sides
        first = np.floor((low - pad - origin[:, None]) / size).astype(np.int64) + 1
        spans = np.floor((high + pad - origin[:, None]) / size).astype(np.int64) + 2 - first
        if int((spans[0] * spans[1] * spans[2]).sum()) > most:
            return None
        shape = np.floor(extent / size).astype(np.int64) + 3  # the pad may reach one more cell
        keys, owners = _bin(first, spans, shape)
        order = np.argsort(keys)
        return cls(origin, size, shape, keys[order], owners[order])

    def candidates(
        self, origins: Floats, directions: Floats, reach: float, most: int
    ) -> tuple[Ints, Ints] | None:
        """(ray, triangle) pairs, by ray, or None if there are more than ``most``. The part of
        each segment inside the grid is cut into pieces no longer than a cell, so each piece's
        box touches at most 2 x 2 x 2 cells."""
        enter, leave = self._clip(origins, directions, reach)
        steps = max(1, math.ceil(float((leave - enter).max(initial=0.0)) / self.size))
        along = enter[:, None] + (leave - enter)[:, None] * np.linspace(0.0, 1.0, steps + 1)
        points = origins[:, None, :] + along[:, :, None] * directions[:, None, :]
        cells = np.floor((points - self.origin) / self.size).astype(np.int64) + 1
        low = np.minimum(cells[:, :-1], cells[:, 1:])  # (rays, steps, 3)
        high = np.maximum(cells[:, :-1], cells[:, 1:])
        touched = np.minimum(low[:, :, None, :] + _CORNERS, high[:, :, None, :])
        inside = (enter <= leave)[:, None, None]
        for axis in range(3):  # not .all(axis=3): numpy reduces short rows slowly
            inside = inside & (touched[..., axis] >= 0) & (touched[..., axis] < self.shape[axis])
        keys = np.where(inside, _key(touched, self.shape), -1).reshape(len(origins), -1)
        keys.sort(axis=1)
        fresh = np.ones(keys.shape, dtype=bool)
        np.not_equal(keys[:, 1:], keys[:, :-1], out=fresh[:, 1:])
        fresh &= keys >= 0
        rays = np.nonzero(fresh)[0]
        wanted = keys[fresh]
        start = np.searchsorted(self.keys, wanted, side="left")
        counts = np.searchsorted(self.keys, wanted, side="right") - start
        if int(counts.sum()) > most:
            return None
        offsets = np.repeat(start - (np.cumsum(counts) - counts), counts)
        picked = self.owners[offsets + np.arange(len(offsets), dtype=np.int64)]
        return np.repeat(rays, counts), picked

    def _clip(self, origins: Floats, directions: Floats, reach: float) -> tuple[Floats, Floats]:
        """Where each segment enters and leaves the grid's box (enter > leave: it misses)."""
        low = self.origin - self.size
        high = low + self.shape * self.size
        with np.errstate(divide="ignore", invalid="ignore"):
            a, b = (low - origins) / directions, (high - origins) / directions
        still = directions == 0  # parallel to a face: inside its slab or never in the box
        between = (origins >= low) & (origins <= high)
        a = np.where(still, np.where(between, -np.inf, np.inf), a)
        b = np.where(still, np.inf, b)  # outside: enters at infinity, so never
        enter = np.maximum(np.minimum(a, b).max(axis=1), 0.0)
        leave = np.minimum(np.maximum(a, b).min(axis=1), reach)
        miss = ~(enter <= leave)
        enter[miss], leave[miss] = 0.0, -1.0  # finite, so the cut points stay numbers
        return enter, leave


def _bin(first: Ints, spans: Ints, shape: Ints) -> tuple[Ints, Ints]:
    """(cell key, triangle) for every cell a triangle's box overlaps: the common triangle spans
    one or two cells per axis (eight masked passes); a larger one is expanded cell by cell."""
    base = _key(first.T, shape)
    small = (spans <= 2).all(axis=0)
    wide = spans == 2
    keys, owners = [], []
    for corner in _CORNERS:
        picked = small.copy()
        for shifted in np.flatnonzero(corner):
            picked &= wide[shifted]
        chosen = np.flatnonzero(picked)
        keys.append(base[chosen] + int(_key(corner, shape)))
        owners.append(chosen)
    large = np.flatnonzero(~small)
    counts = spans[0, large] * spans[1, large] * spans[2, large]
    owner = np.repeat(large, counts)
    local = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    cells = np.empty((len(owner), 3), dtype=np.int64)
    for axis in range(3):
        span = spans[axis, owner]
        cells[:, axis] = first[axis, owner] + local % span
        local = local // span
    return np.concatenate([*keys, _key(cells, shape)]), np.concatenate([*owners, owner])


def _key(cells: Ints, shape: Ints) -> Ints:
    key: Ints = (cells[..., 0] * shape[1] + cells[..., 1]) * shape[2] + cells[..., 2]
    return key


def _intersect(triangles: Triangles, origins: Floats, directions: Floats) -> Floats:
    """Möller-Trumbore, one (ray, triangle) pair per row; inf where the ray misses, runs
    parallel to the triangle or would have to go backwards. The first barycentric coordinate
    rejects most pairs before the rest is computed."""
    out = np.full(len(triangles), np.inf)
    a = triangles[:, 0]
    e2, s = triangles[:, 2] - a, origins - a
    p = cross(directions, e2)
    e1 = triangles[:, 1] - a
    det = dot(e1, p)
    u = dot(s, p) * np.sign(det)
    size = np.abs(det)
    rows = np.flatnonzero((u >= -SLACK * size) & (u <= (1 + SLACK) * size) & (size > 0))
    e1, e2, s, det, size = e1[rows], e2[rows], s[rows], det[rows], size[rows]
    q = cross(s, e1)
    v, t = dot(directions[rows], q) / det, dot(e2, q) / det
    u = u[rows] / size
    flat = size <= 1e-12 * np.sqrt(dot(e1, e1) * dot(e2, e2))  # parallel, or no area
    hit = ~flat & (v >= -SLACK) & (u + v <= 1 + SLACK) & (t >= 0)
    out[rows[hit]] = t[hit]
    return out
