"""Uploaded files on disk under generated names, outside anything the web server serves.

The name a user gave a file is never part of a path, so ``../../x.stl`` or ``part.stl.php`` can
neither escape the directory nor be executed by anything that looks at extensions.
"""

from __future__ import annotations

import re
from pathlib import Path

from c2m.kernel.ids import new_id

_ID = re.compile(r"^[0-9a-f]{32}$")


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def new_name(self) -> str:
        return new_id()

    def part(self, name: str) -> Path:
        return self._dir(name) / f"{name}.part"

    def thumbnail(self, name: str) -> Path:
        return self._dir(name) / f"{name}.png"

    def open_new(self, name: str) -> Path:
        """The path to write a new upload to, its directory created."""
        path = self.part(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def discard(self, name: str) -> None:
        self.part(name).unlink(missing_ok=True)
        self.thumbnail(name).unlink(missing_ok=True)

    def _dir(self, name: str) -> Path:
        if not _ID.match(name):
            raise ValueError(f"not a generated file name: {name!r}")
        return self.root / name[:2]
