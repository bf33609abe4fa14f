"""Personal demands and their checked, array form.

A demand is a (possibly partial) configuration of the template: numbers may fall between
steps (a measured chest of 1056 mm) but not outside the option's range, choices must be
among the option's values. Every problem is collected, each naming the demand, so a file of
demands is corrected in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import isfinite

import numpy as np

from c2m.engines.aggregation.features import Features, Floats, Ints
from c2m.engines.configurator import CompiledTemplate, NumberOption, Value
from c2m.engines.configurator.compile import Domain


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


@dataclass(frozen=True, eq=False)
class Encoded:
    """Demands as arrays: numbers (NaN when not asked), choice codes, weights."""

    numbers: Floats  # (n, number features)
    codes: Ints  # (n, choice features); a feature's ``missing`` code when not asked
    weights: Floats  # (n,)

    @property
    def size(self) -> int:
        return int(self.weights.shape[0])

    def take(self, rows: Ints) -> Encoded:
        return Encoded(self.numbers[rows], self.codes[rows], self.weights[rows])

    def sample(self, size: int, rng: np.random.Generator) -> Encoded:
        """At most ``size`` demands drawn at random (all of them, unchanged, if fewer)."""
        if self.size <= size:
            return self
        return self.take(np.sort(rng.choice(self.size, size=size, replace=False)))


def demand_problems(compiled: CompiledTemplate, demand: Demand) -> list[str]:
    """Sentences for everything wrong with one demand (empty when it can be pooled)."""
    problems = []
    if not isfinite(demand.weight) or demand.weight <= 0:
        problems.append(f"its weight must be a positive number, not {demand.weight!r}")
    for name, value in demand.values.items():
        var = compiled.index.get(name)
        if var is None:
            problems.append(f"{name!r} is not an option of {compiled.template.name}")
            continue
        domain = compiled.domains[var]
        option = domain.option
        if isinstance(option, NumberOption):
            if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
                problems.append(f"{name} must be a number, not {value!r}")
            elif not option.minimum <= value <= option.maximum:
                unit = f" {option.unit}" if option.unit else ""
                problems.append(
                    f"{name} {value:g} is outside {option.minimum}-{option.maximum}{unit}"
                )
        elif domain.index_of(value) is None:
            allowed = ", ".join(str(v) for v in domain.public)
            what = f"one of {allowed}" if domain.kind != "text" else "a valid text"
            problems.append(f"{name} must be {what}, not {value!r}")
    return problems


def encode(features: Features, demands: Sequence[Demand]) -> Encoded:
    """The arrays the clustering works on, or :class:`DemandError` listing every bad demand."""
    problems = []
    seen: set[str] = set()
    for position, demand in enumerate(demands):
        found = demand_problems(features.compiled, demand)
        if demand.id in seen:
            found.append("the same id is used by an earlier demand")
        seen.add(demand.id)
        problems += [DemandProblem(position, demand.id, message) for message in found]
    if problems:
        raise DemandError(tuple(problems))
    count = len(demands)
    numbers = np.full((count, len(features.numbers)), np.nan)
    codes = np.empty((count, len(features.choices)), dtype=np.intp)
    for column, feature in enumerate(features.numbers):
        numbers[:, column] = [float(d.values.get(feature.name, np.nan)) for d in demands]
    domains = features.compiled.domains
    for column, choice in enumerate(features.choices):
        domain = domains[choice.var]
        codes[:, column] = [
            choice.missing if (v := d.values.get(choice.name)) is None else _index(domain, v)
            for d in demands
        ]
    weights = np.array([float(d.weight) for d in demands], dtype=np.float64)
    return Encoded(numbers, codes, weights)


def _index(domain: Domain, value: Value) -> int:
    index = domain.index_of(value)
    assert index is not None  # checked by demand_problems
    return index
