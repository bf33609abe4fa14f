"""3MF: a ZIP holding XML. Checked before anything is expanded (member names, declared sizes,
compression ratios) and parsed without DTDs or entities, so archive and XML bombs fail fast."""

from __future__ import annotations

import io
import posixpath
import zipfile

import numpy as np
from lxml import etree

from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.limits import Limits
from c2m.engines.geometry.sniff import MODEL_PART
from c2m.engines.geometry.types import Triangles

CORE = "{http://schemas.microsoft.com/3dmanufacturing/core/2015/02}"
_IDENTITY = np.eye(4)


def read_3mf(data: bytes, limits: Limits) -> Triangles:
    archive = zipfile.ZipFile(io.BytesIO(data))
    model = _safe_member(archive, limits)
    root = _parse(model)
    objects = {obj.get("id"): obj for obj in root.iter(f"{CORE}object")}
    parts: list[Triangles] = []
    budget = [limits.max_triangles]
    for item in root.iter(f"{CORE}item"):
        _collect(objects, item.get("objectid"), _transform(item.get("transform")), parts, budget, 0)
    if not parts:
        raise MeshError("no_triangles", "The 3MF build contains no triangles.")
    return np.concatenate(parts)


def _safe_member(archive: zipfile.ZipFile, limits: Limits) -> bytes:
    infos = archive.infolist()
    if len(infos) > limits.max_archive_members:
        raise MeshError("archive_bomb", f"The 3MF holds {len(infos):,} files; too many.")
    total = 0
    model: zipfile.ZipInfo | None = None
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in posixpath.normpath(name).split("/"):
            raise MeshError(
                "unsafe_archive", f"The 3MF contains an unsafe path: {info.filename!r}."
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_archive_ratio and info.file_size > 1024 * 1024:
            raise MeshError(
                "archive_bomb",
                f"{info.filename!r} expands {ratio:,.0f}-fold ({info.file_size:,} bytes): "
                "refused as a ZIP bomb.",
            )
        if name.lower() == MODEL_PART.lower():
            model = info
    if total > limits.max_archive_bytes:
        raise MeshError(
            "archive_bomb",
            f"The 3MF would expand to {total:,} bytes; at most {limits.max_archive_bytes:,}.",
        )
    assert model is not None  # sniff() only passes archives that have the model part
    with archive.open(model) as stream:
        content = stream.read(model.file_size + 1)
    if len(content) > model.file_size:
        raise MeshError("archive_bomb", "The 3MF model part is larger than its declared size.")
    return content


def _parse(content: bytes) -> etree._Element:
    head = content[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in content.upper():
        raise MeshError("unsafe_xml", "The 3MF model declares a DTD or entities; refused.")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise MeshError("xml_syntax", f"The 3MF model is not well-formed XML: {exc}.") from None


def _transform(text: str | None) -> np.ndarray:
    """3MF writes the 3x4 affine part of a row-vector transform as 12 numbers."""
    if not text:
        return _IDENTITY
    try:
        values = [float(value) for value in text.split()]
    except ValueError:
        raise MeshError("xml_syntax", f"Bad 3MF transform {text!r}.") from None
    if len(values) != 12:
        raise MeshError("xml_syntax", f"A 3MF transform has 12 numbers, not {len(values)}.")
    matrix = np.eye(4)
    matrix[:, :3] = np.asarray(values).reshape(4, 3)
    return matrix


def _collect(
    objects: dict[str | None, etree._Element],
    object_id: str | None,
    matrix: np.ndarray,
    parts: list[Triangles],
    budget: list[int],
    depth: int,
) -> None:
    obj = objects.get(object_id)
    if obj is None or depth > 16:
        raise MeshError("xml_syntax", f"The 3MF build refers to a missing object {object_id!r}.")
    mesh = obj.find(f"{CORE}mesh")
    if mesh is not None:
        parts.append(_mesh(mesh, matrix, budget))
    for component in obj.iter(f"{CORE}component"):
        child = _transform(component.get("transform")) @ matrix
        _collect(objects, component.get("objectid"), child, parts, budget, depth + 1)


def _mesh(mesh: etree._Element, matrix: np.ndarray, budget: list[int]) -> Triangles:
    triangles = mesh.findall(f"{CORE}triangles/{CORE}triangle")
    budget[0] -= len(triangles)
    if budget[0] < 0:
        raise MeshError("too_many_triangles", "The 3MF holds too many triangles.")
    try:
        points = np.array(
            [
                (float(v.get("x", "")), float(v.get("y", "")), float(v.get("z", "")))
                for v in mesh.iterfind(f"{CORE}vertices/{CORE}vertex")
            ],
            dtype=np.float64,
        ).reshape(-1, 3)
        corners = np.array(
            [(int(t.get("v1", "")), int(t.get("v2", "")), int(t.get("v3", ""))) for t in triangles],
            dtype=np.int64,
        ).reshape(-1, 3)
    except ValueError:
        raise MeshError(
            "xml_syntax", "A 3MF vertex or triangle has a missing or bad number."
        ) from None
    if corners.size and (corners.min() < 0 or corners.max() >= len(points)):
        raise MeshError("xml_syntax", "A 3MF triangle refers to a vertex that does not exist.")
    placed: Triangles = (points @ matrix[:3, :3] + matrix[3, :3])[corners]
    return placed
