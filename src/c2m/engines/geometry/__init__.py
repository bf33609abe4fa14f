"""Geometry engine: reading meshes (STL, OBJ, 3MF), measuring them, finding what
cannot be made, and doing it for untrusted uploads in a sandboxed child process."""

from typing import TYPE_CHECKING

from c2m.engines.exports import lazy_exports

if TYPE_CHECKING:
    from c2m.engines.geometry.measures import Analysis
    from c2m.engines.geometry.sandbox import Outcome, SandboxLimits, analyze_in_sandbox
    from c2m.engines.geometry.units import Unit

_EXPORTS = {
    "Analysis": "measures",
    "Outcome": "sandbox",
    "SandboxLimits": "sandbox",
    "analyze_in_sandbox": "sandbox",
    "Unit": "units",
}
__all__ = ["Analysis", "Outcome", "SandboxLimits", "Unit", "analyze_in_sandbox"]
__getattr__ = lazy_exports(__name__, _EXPORTS)
