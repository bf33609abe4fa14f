"""Receive uploaded files while they stream in, enforcing the limits as the bytes arrive.

A sixth file is refused when its headers arrive and an oversized one at the byte that crosses
the limit, so the server never reads (or stores) a refused request whole. Each file goes
straight to disk under a generated name, hashed on the way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from c2m.domains.quoting.uploads import Received
from c2m.kernel.errors import InvalidInput, PayloadTooLarge
from c2m.kernel.files import FileStore
from c2m.web.limits import BodyRefused

MAX_FIELD_BYTES = 8 * 1024
MAX_FIELDS = 20
PART_OVERHEAD = 16 * 1024  # multipart boundaries and part headers, per file


@dataclass(frozen=True)
class UploadLimits:
    max_files: int
    max_bytes: int

    @property
    def max_body(self) -> int:
        return self.max_files * (self.max_bytes + PART_OVERHEAD) + MAX_FIELDS * MAX_FIELD_BYTES

    def too_many(self) -> str:
        return f"A request may carry at most {self.max_files} files; send the others separately."

    def too_large(self, filename: str) -> str:
        megabytes = self.max_bytes / 2**20
        return f"{filename or 'A file'} is larger than {megabytes:g} MB, the limit per file."


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    filename: str | None = None
    name: str | None = None
    sink: IO[bytes] | None = None
    hasher: hashlib._Hash = field(default_factory=hashlib.sha256)
    size: int = 0


class _Receiver:
    def __init__(self, store: FileStore, limits: UploadLimits) -> None:
        self.store = store
        self.limits = limits
        self.files: list[Received] = []
        self.fields = 0
        self.part = _Part()
        self.header_field = b""
        self.header_value = b""
        self.error: Exception | None = None
        self.opened: list[str] = []

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[self.header_field.lower()] = self.header_value
        self.header_field = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        filename = options.get(b"filename")
        if filename is None:
            self.fields += 1
            if self.fields > MAX_FIELDS:
                raise InvalidInput(f"A request may carry at most {MAX_FIELDS} form fields.")
            return
        self.part.filename = filename.decode("utf-8", "replace")
        if len(self.files) + 1 > self.limits.max_files:
            raise PayloadTooLarge(self.limits.too_many())
        self.part.name = self.store.new_name()
        self.opened.append(self.part.name)
        self.part.sink = self.store.open_new(self.part.name).open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        part.size += end - start
        if part.sink is None:
            if part.size > MAX_FIELD_BYTES:
                raise InvalidInput(f"A form field may hold at most {MAX_FIELD_BYTES} bytes.")
            return
        if part.size > self.limits.max_bytes:
            raise PayloadTooLarge(self.limits.too_large(part.filename or ""))
        chunk = data[start:end]
        part.hasher.update(chunk)
        part.sink.write(chunk)

    def on_part_end(self) -> None:
        part = self.part
        if part.sink is None or part.name is None:
            return
        part.sink.close()
        part.sink = None
        if not part.filename and part.size == 0:  # a form's empty file input: nothing chosen
            self.store.discard(part.name)
            return
        self.files.append(
            Received(part.name, part.filename or "", part.size, part.hasher.hexdigest())
        )

    def close(self) -> None:
        if self.part.sink is not None:
            self.part.sink.close()

    def discard_all(self) -> None:
        self.close()
        for name in self.opened:
            self.store.discard(name)


async def receive_files(request: Request, store: FileStore, limits: UploadLimits) -> list[Received]:
    """The files of a ``multipart/form-data`` request, stored; nothing is kept on refusal."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput("Send the files as multipart/form-data, in fields named 'files'.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_body:
        raise PayloadTooLarge(
            f"This request is larger than {limits.max_files} files of "
            f"{limits.max_bytes / 2**20:g} MB each can be."
        )
    receiver = _Receiver(store, limits)
    callbacks = {
        name: getattr(receiver, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except (InvalidInput, PayloadTooLarge, BodyRefused):
        receiver.discard_all()
        raise
    except Exception as exc:
        receiver.discard_all()
        raise InvalidInput(f"The upload is not well-formed multipart data ({exc}).") from exc
    receiver.close()
    if not receiver.files:
        raise InvalidInput("The request carries no file; choose at least one part to quote.")
    return receiver.files
