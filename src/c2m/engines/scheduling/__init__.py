"""Scheduling engine: a flexible job shop solved by dispatching rules, CP-SAT and LNS."""

from typing import TYPE_CHECKING

from c2m.engines.exports import lazy_exports

if TYPE_CHECKING:
    from c2m.engines.scheduling.formats import FormatError, read_instance, schedule_to_json
    from c2m.engines.scheduling.gantt import write_gantt
    from c2m.engines.scheduling.model import (
        Assignment,
        Instance,
        Job,
        Mode,
        Operation,
        Schedule,
        Window,
    )
    from c2m.engines.scheduling.objective import Objective
    from c2m.engines.scheduling.progress import Progress
    from c2m.engines.scheduling.solver import SolveOptions, Solver, SolveResult, solve

_EXPORTS = {
    "FormatError": "formats",
    "read_instance": "formats",
    "schedule_to_json": "formats",
    "write_gantt": "gantt",
    "Assignment": "model",
    "Instance": "model",
    "Job": "model",
    "Mode": "model",
    "Operation": "model",
    "Schedule": "model",
    "Window": "model",
    "Objective": "objective",
    "Progress": "progress",
    "SolveOptions": "solver",
    "SolveResult": "solver",
    "Solver": "solver",
    "solve": "solver",
}
__all__ = [
    "Assignment",
    "FormatError",
    "Instance",
    "Job",
    "Mode",
    "Objective",
    "Operation",
    "Progress",
    "Schedule",
    "SolveOptions",
    "SolveResult",
    "Solver",
    "Window",
    "read_instance",
    "schedule_to_json",
    "solve",
    "write_gantt",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)
