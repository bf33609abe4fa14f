"""Why a file is refused: a stable code for programs and a sentence for people."""

from __future__ import annotations


class MeshError(Exception):
    """A file that cannot be analysed; ``code`` is stable, ``str()`` is the sentence shown."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
