"""Personal demands and what is wrong with them (their array form is in ``encoded``).

A demand is a (possibly partial) configuration of the template: numbers may fall between
steps (a measured chest of 1056 mm) but not outside the option's range, choices must be
among the option's values. Every problem is collected, each naming the demand, so a file of
demands is corrected in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import isfinite

from c2m.engines.configurator import CompiledTemplate, Value, wish_problems


@dataclass(frozen=True, slots=True)
class Demand:
    """One person's (or one group's) wish; ``weight`` counts its votes or followers."""

    id: str
    values: Mapping[str, Value]
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class DemandProblem:
    """What is wrong with the demand at ``position`` (0-based, in the order given)."""

    position: int
    demand_id: str
    message: str


class DemandError(ValueError):
    def __init__(self, problems: tuple[DemandProblem, ...]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"Demand {first.demand_id!r}: {first.message}{more}")
        self.problems = problems


def demand_problems(compiled: CompiledTemplate, demand: Demand) -> list[str]:
    """Sentences for everything wrong with one demand (empty when it can be pooled)."""
    problems = []
    if not isfinite(demand.weight) or demand.weight <= 0:
        problems.append(f"its weight must be a positive number, not {demand.weight!r}")
    return problems + wish_problems(compiled, demand.values)
