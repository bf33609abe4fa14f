"""A small isometric PNG of a part, rendered on the CPU: a numpy z-buffer rasteriser with
Lambert shading, supersampled then downscaled for smooth edges. No OpenGL, no display."""

from __future__ import annotations

import io
import itertools
import math

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from c2m.engines.geometry.types import Real, Triangles, bounds, cross, dot

SIZE = 256
SUPERSAMPLE = 2
MAX_FRAGMENTS = 4_000_000  # per chunk; keeps memory flat for huge triangles
SPLAT_BOX = 16  # pixels in a triangle's bounding box below which it is drawn as four dots
FRAGMENT_BUDGET = 12_000_000  # beyond this the z-buffer costs more than drawing polygons
MAX_POLYGONS = 30_000  # painter's algorithm draws at most this many (the largest) triangles
BACKGROUND = (246, 247, 249)
COLOUR = np.array([70.0, 120.0, 200.0])
LIGHT = np.array([0.4, 0.5, 0.77]) / np.linalg.norm([0.4, 0.5, 0.77])


def _view() -> npt.NDArray[np.float64]:
    """Isometric: turn 45 degrees about z, then tilt about x so z stays up on screen."""
    turn, tilt = math.radians(45), math.radians(-54.7356)
    ct, st, cl, sl = math.cos(turn), math.sin(turn), math.cos(tilt), math.sin(tilt)
    rz = np.array([[ct, -st, 0.0], [st, ct, 0.0], [0.0, 0.0, 1.0]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cl, -sl], [0.0, sl, cl]])
    view: npt.NDArray[np.float64] = rx @ rz
    return view


def render_png(triangles: Triangles, size: int = SIZE, outward: bool = False) -> bytes:
    """Few triangles: polygons, supersampled; many (small) triangles: z-buffer at final size.
    ``outward``: the faces of a closed solid point out, so the half facing away (hidden behind
    the front) is not drawn at all."""
    side = size * SUPERSAMPLE if len(triangles) <= MAX_POLYGONS else size
    corners = _turn(triangles.reshape(-1, 3).astype(np.float32), _view().astype(np.float32))
    low, high = bounds(corners[:, :2])
    flat = corners.reshape(-1, 3, 3)
    normals = cross(flat[:, 1] - flat[:, 0], flat[:, 2] - flat[:, 0])
    lengths = np.sqrt(dot(normals, normals))
    keep = lengths > 0
    if outward:  # the camera looks down -z of the view frame: facing it means normal z > 0
        keep &= normals[:, 2] > 0
    normals, flat = normals[keep] / lengths[keep, None], flat[keep]
    light = _turn(normals, LIGHT[None, :].astype(np.float32))[:, 0]
    shade = 0.25 + 0.75 * np.abs(light)  # abs: inside-out faces of an open surface
    depth = -flat[:, :, 2]  # larger view z is nearer
    order = np.argsort(-(depth[:, 0] + depth[:, 1] + depth[:, 2]))  # far to near
    flat, depth, shade = flat[order], depth[order], shade[order]
    span = float((high - low).max()) or 1.0
    margin = 0.06 * side
    pixels = (flat[:, :, :2] - (low + high) / 2) / span * (side - 2 * margin) + side / 2
    pixels[:, :, 1] = side - pixels[:, :, 1]  # screen y grows downwards
    extent = np.maximum(np.maximum(pixels[:, 0], pixels[:, 1]), pixels[:, 2])
    extent -= np.minimum(np.minimum(pixels[:, 0], pixels[:, 1]), pixels[:, 2])
    boxes = np.minimum(np.ceil(extent[:, 0] + 1) * np.ceil(extent[:, 1] + 1), side * side)
    if len(pixels) <= MAX_POLYGONS or boxes.sum() > FRAGMENT_BUDGET:
        picture = _painter(pixels, depth, shade, side)
    else:
        picture = _zbuffer(pixels, depth, shade, side, boxes)
    out = io.BytesIO()
    picture.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG")
    return out.getvalue()


def _turn(
    points: npt.NDArray[np.float32], rows: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """``points @ rows.T`` column by column: a BLAS product of a tall (n, 3) array is no faster
    here and can stall for 100 ms when its threads compete for a busy machine's cores."""
    out = np.empty((len(points), len(rows)), dtype=np.float32)
    for index, (a, b, c) in enumerate(rows.tolist()):
        out[:, index] = points[:, 0] * a + points[:, 1] * b + points[:, 2] * c
    return out


def _tone(shade: float) -> tuple[int, int, int]:
    red, green, blue = (min(255, int(value)) for value in COLOUR * shade + 30)
    return red, green, blue


def _painter(
    pixels: npt.NDArray[np.float64],
    depth: npt.NDArray[np.float64],
    shade: npt.NDArray[np.float64],
    side: int,
) -> Image.Image:
    """Few or long thin triangles (given far to near): at most ``MAX_POLYGONS`` of the largest."""
    if len(pixels) > MAX_POLYGONS:
        edges = np.cross(pixels[:, 1] - pixels[:, 0], pixels[:, 2] - pixels[:, 0])
        chosen = np.sort(np.argsort(np.abs(edges))[-MAX_POLYGONS:])  # sorted: keeps the order
        pixels, depth, shade = pixels[chosen], depth[chosen], shade[chosen]
    image = Image.new("RGB", (side, side), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for index in range(len(pixels)):
        draw.polygon([tuple(point) for point in pixels[index].tolist()], fill=_tone(shade[index]))
    return image


def _zbuffer(
    pixels: npt.NDArray[np.float64],
    depth: npt.NDArray[np.float64],
    shade: npt.NDArray[np.float64],
    side: int,
    boxes: npt.NDArray[np.float64],
) -> Image.Image:
    """Many small triangles (given far to near): a vectorised z-buffer beats one Python call per
    polygon. Triangles of a few pixels are splatted (corners and centre) in that order, so the
    last write to a pixel is the nearest; larger ones are rasterised per fragment."""
    zbuffer = np.full(side * side, np.inf)
    colour = np.zeros(side * side)
    small = boxes <= SPLAT_BOX
    points, heights = _with_centre(pixels[small]), _with_centre(depth[small])
    cells = np.clip(points.astype(np.int64), 0, side - 1)
    index = (cells[:, :, 1] * side + cells[:, :, 0]).ravel()
    zbuffer[index] = heights.ravel()
    colour[index] = np.repeat(shade[small], points.shape[1])
    large = np.flatnonzero(~small)
    for chunk in _chunks(boxes[large]):
        picked = large[chunk]
        _raster(pixels[picked], depth[picked], shade[picked], side, zbuffer, colour)
    image = np.empty((side * side, 3))
    image[:] = BACKGROUND
    hit = np.isfinite(zbuffer)
    image[hit] = COLOUR[None, :] * colour[hit, None] + 30
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8).reshape(side, side, 3))


def _with_centre(corners: npt.NDArray[Real]) -> npt.NDArray[Real]:
    """Three corners and their mean, summed column by column (``mean(axis=1)`` over rows of
    three is several times slower)."""
    centre = (corners[:, 0] + corners[:, 1] + corners[:, 2]) / 3
    return np.concatenate([corners, centre[:, None]], axis=1)


def _chunks(boxes: npt.NDArray[np.float64]) -> list[npt.NDArray[np.int64]]:
    if not len(boxes):
        return []
    cost = np.cumsum(boxes)
    cuts = np.searchsorted(cost, np.arange(MAX_FRAGMENTS, cost[-1] + MAX_FRAGMENTS, MAX_FRAGMENTS))
    bounds = [0, *np.unique(np.clip(cuts + 1, 1, len(boxes))).tolist()]
    return [np.arange(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _raster(
    pix: npt.NDArray[np.float64],
    depth: npt.NDArray[np.float64],
    shade: npt.NDArray[np.float64],
    side: int,
    zbuffer: npt.NDArray[np.float64],
    colour: npt.NDArray[np.float64],
) -> None:
    """Every pixel centre in each triangle's box, kept when inside; nearest fragment wins."""
    x0 = np.clip(np.floor(pix[:, :, 0].min(axis=1)), 0, side - 1).astype(np.int64)
    x1 = np.clip(np.ceil(pix[:, :, 0].max(axis=1)), 0, side - 1).astype(np.int64)
    y0 = np.clip(np.floor(pix[:, :, 1].min(axis=1)), 0, side - 1).astype(np.int64)
    y1 = np.clip(np.ceil(pix[:, :, 1].max(axis=1)), 0, side - 1).astype(np.int64)
    width, height = x1 - x0 + 1, y1 - y0 + 1
    counts = width * height
    owner = np.repeat(np.arange(len(pix)), counts)
    local = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    px = x0[owner] + local % width[owner]
    py = y0[owner] + local // width[owner]
    a, b, c = pix[owner, 0], pix[owner, 1], pix[owner, 2]
    cx, cy = px + 0.5, py + 0.5
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    safe = np.where(area == 0, 1, area)
    w1 = ((cx - a[:, 0]) * (c[:, 1] - a[:, 1]) - (cy - a[:, 1]) * (c[:, 0] - a[:, 0])) / safe
    w2 = ((b[:, 0] - a[:, 0]) * (cy - a[:, 1]) - (b[:, 1] - a[:, 1]) * (cx - a[:, 0])) / safe
    inside = (area != 0) & (w1 >= 0) & (w2 >= 0) & (w1 + w2 <= 1)
    d = depth[owner]
    z = (1 - w1 - w2) * d[:, 0] + w1 * d[:, 1] + w2 * d[:, 2]
    _keep_nearest((py * side + px)[inside], z[inside], shade[owner][inside], zbuffer, colour)


def _keep_nearest(
    index: npt.NDArray[np.int64],
    z: npt.NDArray[np.float64],
    s: npt.NDArray[np.float64],
    zbuffer: npt.NDArray[np.float64],
    colour: npt.NDArray[np.float64],
) -> None:
    """Write far to near: with repeated indices numpy keeps the last write, the nearest."""
    order = np.argsort(-z, kind="stable")
    index, z, s = index[order], z[order], s[order]
    nearer = z < zbuffer[index]
    zbuffer[index[nearer]] = z[nearer]
    colour[index[nearer]] = s[nearer]
