"""Array aliases shared by the readers and the analysis."""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

Triangles: TypeAlias = npt.NDArray[np.float64]
"""(n, 3, 3): n triangles, three corners, x y z; float64 in the file's own units."""

Floats: TypeAlias = npt.NDArray[np.float64]
Ints: TypeAlias = npt.NDArray[np.int64]

Real = TypeVar("Real", bound=np.floating[Any])


def bounds(
    points: npt.NDArray[np.floating],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per-column minimum and maximum of (n, k) points: column by column, because numpy reduces
    a (n, 3) array along axis 0 about ten times slower than three strided columns."""
    columns = range(points.shape[1])
    low = np.array([points[:, column].min() for column in columns], dtype=np.float64)
    high = np.array([points[:, column].max() for column in columns], dtype=np.float64)
    return low, high


def cross(a: npt.NDArray[Real], b: npt.NDArray[Real]) -> npt.NDArray[Real]:
    """Row-wise cross product of (n, 3) arrays, component by component: ``np.cross`` is about
    three times slower on such arrays."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape), dtype=np.result_type(a, b))
    np.subtract(a[:, 1] * b[:, 2], a[:, 2] * b[:, 1], out=out[:, 0])
    np.subtract(a[:, 2] * b[:, 0], a[:, 0] * b[:, 2], out=out[:, 1])
    np.subtract(a[:, 0] * b[:, 1], a[:, 1] * b[:, 0], out=out[:, 2])
    return out


def dot(a: npt.NDArray[Real], b: npt.NDArray[Real]) -> npt.NDArray[Real]:
    """Row-wise dot product of (n, 3) arrays, without BLAS (whose threads stall on a busy
    machine) and without einsum's set-up."""
    out: npt.NDArray[Real] = a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1] + a[:, 2] * b[:, 2]
    return out
