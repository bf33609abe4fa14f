"""How a process, its analysis server and the server's children talk over pipes: frames of a
JSON header and raw byte blobs (a 10 MB upload or a PNG needs no base64). Nothing is unpickled,
so a child that a hostile file managed to subvert cannot run code in the process reading it."""

from __future__ import annotations

import io
import json
import struct
from typing import IO, Any

Header = dict[str, Any]
HEADER_LIMIT = 4 * 1024 * 1024  # the largest header is the server's list of loaded modules
_LENGTH = struct.Struct(">I")


class FrameError(Exception):
    """The bytes on the pipe are not a whole frame: the other side died mid-frame or lied."""


def write_frame(stream: IO[bytes], header: Header, blobs: tuple[bytes, ...] = ()) -> None:
    """Write one frame and flush it; ``header`` must not use the key ``blobs``."""
    encoded = json.dumps({**header, "blobs": [len(blob) for blob in blobs]}).encode()
    stream.write(_LENGTH.pack(len(encoded)) + encoded)
    for blob in blobs:
        stream.write(blob)
    stream.flush()


def read_frame(stream: IO[bytes]) -> tuple[Header, list[bytes]] | None:
    """The next frame, or None at a clean end of the stream (between frames)."""
    prefix = stream.read(_LENGTH.size)
    if not prefix:
        return None
    (length,) = _LENGTH.unpack(_exactly(stream, _LENGTH.size, prefix))
    if length > HEADER_LIMIT:
        raise FrameError(f"a frame header of {length} bytes is more than allowed")
    try:
        header = json.loads(_exactly(stream, length))
        if not isinstance(header, dict):
            raise TypeError("not a JSON object")
        sizes = [int(size) for size in header.pop("blobs")]
    except (ValueError, TypeError, KeyError) as exc:
        raise FrameError(f"a frame header could not be read: {exc}") from exc
    return header, [_exactly(stream, size) for size in sizes]


def parse_frame(data: bytes) -> tuple[Header, list[bytes]]:
    """Exactly one frame from ``data`` (all a child wrote before it exited)."""
    stream = io.BytesIO(data)
    frame = read_frame(stream)
    if frame is None or stream.read(1):
        raise FrameError("expected exactly one frame")
    return frame


def _exactly(stream: IO[bytes], size: int, start: bytes = b"") -> bytes:
    """``size`` bytes, reading on from ``start`` (pipes and unbuffered files return short reads)."""
    if size < 0:
        raise FrameError("a negative size")
    parts, got = [start], len(start)
    while got < size:
        part = stream.read(size - got)
        if not part:
            raise FrameError(f"the stream ended {size - got} bytes into a frame")
        parts.append(part)
        got += len(part)
    return b"".join(parts)
