"""Lazy public APIs for the engines' packages.

Each engine's ``__init__`` names what it offers; the module behind a name is imported on first
use, so a process that needs one light part of an engine (a dataclass, a unit) never pays for
its heavy parts (OR-Tools, numba, trimesh, plotly).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` serving ``exports`` (public name → submodule of ``package``)."""

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
