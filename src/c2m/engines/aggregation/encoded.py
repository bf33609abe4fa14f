"""Demands as the arrays the clustering works on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from c2m.engines.aggregation.demand import Demand, DemandError, DemandProblem, demand_problems
from c2m.engines.aggregation.features import Features, Floats, Ints
from c2m.engines.configurator import Value
from c2m.engines.configurator.compile import Domain


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
