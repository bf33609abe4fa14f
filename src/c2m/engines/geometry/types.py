"""Array aliases shared by the readers and the analysis."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Triangles: TypeAlias = npt.NDArray[np.float64]
"""(n, 3, 3): n triangles, three corners, x y z; float64 in the file's own units."""
