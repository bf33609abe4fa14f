"""Imported by the sandbox's fork server only: one small analysis and thumbnail there, so every
child starts with the lazy imports and first-call set-up of numpy, scipy, manifold3d and the PNG
encoder already done, instead of paying them again on each upload."""

from __future__ import annotations

import trimesh

from c2m.engines.geometry import sandbox
from c2m.engines.geometry.analysis import analyze
from c2m.engines.geometry.thumbnail import render_png

_analysis, _triangles = analyze(trimesh.creation.box(extents=(20.0, 20.0, 20.0)).triangles)
render_png(_triangles, outward=_analysis.valid_solid)
del sandbox  # imported so the child's target resolves without another import
