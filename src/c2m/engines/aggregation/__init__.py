"""Aggregation engine: many personal demands pooled into a few valid, centralized models.

Pure: plain dataclasses in and out. Build an :class:`AggregationSpec` from a compiled template
with :func:`spec_for` (tolerances, weights, mismatch costs per option), then call
:func:`aggregate` with the demands and one of ``k``, ``coverage`` or ``model_cost``.
"""

from typing import TYPE_CHECKING

from c2m.engines.exports import lazy_exports

if TYPE_CHECKING:
    from c2m.engines.aggregation.choose import CurvePoint, Progress
    from c2m.engines.aggregation.cluster import Effort
    from c2m.engines.aggregation.demand import Demand, DemandError, DemandProblem
    from c2m.engines.aggregation.pooling import AggregationError, aggregate, coverage_curve
    from c2m.engines.aggregation.report import Aggregation, Assignment, DemandMap, Difference, Model
    from c2m.engines.aggregation.spec import AggregationSpec, OptionSpec, SpecError, spec_for

_EXPORTS = {
    "Aggregation": "report",
    "AggregationError": "pooling",
    "AggregationSpec": "spec",
    "Assignment": "report",
    "CurvePoint": "choose",
    "Demand": "demand",
    "DemandError": "demand",
    "DemandMap": "report",
    "DemandProblem": "demand",
    "Difference": "report",
    "Effort": "cluster",
    "Model": "report",
    "OptionSpec": "spec",
    "Progress": "choose",
    "SpecError": "spec",
    "aggregate": "pooling",
    "coverage_curve": "pooling",
    "spec_for": "spec",
}

__all__ = [
    "Aggregation",
    "AggregationError",
    "AggregationSpec",
    "Assignment",
    "CurvePoint",
    "Demand",
    "DemandError",
    "DemandMap",
    "DemandProblem",
    "Difference",
    "Effort",
    "Model",
    "OptionSpec",
    "Progress",
    "SpecError",
    "aggregate",
    "coverage_curve",
    "spec_for",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)
