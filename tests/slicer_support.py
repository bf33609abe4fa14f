"""The real PrusaSlicer for the agent's slicing tests, with a profile that keeps G-code short.

Without ``prusa-slicer`` on PATH (Debian package ``prusa-slicer``) the tests skip, unless
``C2M_REQUIRE_SLICER=1`` (CI) fails them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REQUIRED = os.environ.get("C2M_REQUIRE_SLICER") == "1"
SLICER = shutil.which("prusa-slicer") or "prusa-slicer"
#: A 1 mm nozzle at 1 mm layers, one perimeter, no infill, skirt or heating: a 5 mm cube is
#: ~50 lines of G-code, which OctoPrint's virtual printer prints in seconds.
TINY = """\
bed_shape = 0x0,120x0,120x100,0x100
nozzle_diameter = 1
layer_height = 1
first_layer_height = 1
perimeters = 1
top_solid_layers = 0
bottom_solid_layers = 0
fill_density = 0%
skirts = 0
temperature = 0
first_layer_temperature = 0
bed_temperature = 0
first_layer_bed_temperature = 0
start_gcode = G28
end_gcode = M84
"""


def require_slicer() -> str:
    """PrusaSlicer's path; the test skips (or fails, in CI) without it."""
    if shutil.which(SLICER) is None:
        reason = "no prusa-slicer on PATH (apt-get install prusa-slicer)"
        if REQUIRED:
            pytest.fail(f"{reason} and C2M_REQUIRE_SLICER=1")
        pytest.skip(reason)
    return SLICER


def tiny_profile(folder: Path) -> Path:
    """The profile above as a maker's exported .ini, in ``folder``; needs the slicer."""
    require_slicer()
    profile = folder / "tiny.ini"
    profile.write_text(TINY)
    return profile
