"""Decide a file's format from its bytes; the name a user gave it proves nothing."""

from __future__ import annotations

import enum
import io
import re
import struct
import zipfile

from c2m.engines.geometry.errors import MeshError

STL_HEADER = 84
STL_RECORD = 50
MODEL_PART = "3D/3dmodel.model"
_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\x7fELF": "an executable program",
    b"MZ": "a Windows executable",
}
_OBJ_LINE = re.compile(rb"^[ \t]*(v|f)[ \t]", re.MULTILINE)


class Kind(enum.StrEnum):
    STL_BINARY = "stl-binary"
    STL_ASCII = "stl-ascii"
    OBJ = "obj"
    THREE_MF = "3mf"
    STEP = "step"


def sniff(data: bytes) -> Kind:
    """Name the format, or raise ``MeshError`` saying what the bytes are instead."""
    if not data:
        raise MeshError("empty", "The file is empty (0 bytes).")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise MeshError("not_a_model", f"This is {what}, not a 3D model (STL, OBJ, 3MF, STEP).")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if data.lstrip()[:12] == b"ISO-10303-21":
        return Kind.STEP
    declared = _declared_triangles(data)
    if declared is not None and STL_HEADER + STL_RECORD * declared == len(data):
        return Kind.STL_BINARY
    if data.lstrip()[:5].lower() == b"solid" and b"\x00" not in data[:4096]:
        return Kind.STL_ASCII
    if b"\x00" not in data[:65536] and _OBJ_LINE.search(data[:65536]):
        return Kind.OBJ
    if declared is not None and (len(data) - STL_HEADER) % STL_RECORD == 0:
        present = (len(data) - STL_HEADER) // STL_RECORD
        raise MeshError(
            "stl_count_mismatch",
            f"Binary STL header declares {declared:,} triangles "
            f"({STL_HEADER + STL_RECORD * declared:,} bytes) but the file holds {present:,} "
            f"({len(data):,} bytes); the file is truncated or corrupt.",
        )
    raise MeshError(
        "unknown_format",
        "Not a recognised 3D model: not binary STL (size does not match its triangle count), "
        "ASCII STL (no leading 'solid'), OBJ, 3MF or STEP.",
    )


def _declared_triangles(data: bytes) -> int | None:
    if len(data) < STL_HEADER:
        return None
    return int(struct.unpack_from("<I", data, 80)[0])


def _zip_kind(data: bytes) -> Kind:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise MeshError("bad_archive", f"A damaged ZIP archive: {exc}.") from None
    if any(name.lstrip("/").lower() == MODEL_PART.lower() for name in names):
        return Kind.THREE_MF
    raise MeshError("not_a_model", f"A ZIP archive without {MODEL_PART}, so not a 3MF model.")
