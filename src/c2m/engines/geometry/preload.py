"""Imported by the sandbox's fork server only: one small analysis and thumbnail there, so every
child starts with the lazy imports and first-call set-up of numpy, scipy, manifold3d and the PNG
encoder already done, instead of paying them again on each upload."""

from __future__ import annotations

import numpy as np
import trimesh

from c2m.engines.geometry import sandbox
from c2m.engines.geometry.analysis import analyze
from c2m.engines.geometry.thumbnail import render_png

_cube = np.asarray(trimesh.creation.box(extents=(20.0, 20.0, 20.0)).triangles)
_analysis, _triangles = analyze(np.concatenate([_cube, _cube + 30.0]))  # two bodies: a union too
render_png(_triangles, outward=_analysis.valid_solid)
del sandbox  # imported so the child's target resolves without another import
