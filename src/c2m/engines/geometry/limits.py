"""Caps that keep one hostile upload from eating the worker: sizes, counts, archive expansion."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds applied before and while reading a file."""

    max_bytes: int = 64 * 1024 * 1024
    max_triangles: int = 2_000_000
    max_archive_bytes: int = 256 * 1024 * 1024  # total declared uncompressed size of a 3MF
    max_archive_ratio: float = 200.0  # declared / compressed size of any member
    max_archive_members: int = 1000


DEFAULT_LIMITS = Limits()
