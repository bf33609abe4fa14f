"""The pooled options as arrays: what one unit of difference costs, option by option.

A number costs ``weight * min(|asked - model| / tolerance, cap)``; a choice costs a table entry
(``weight * mismatch``, times the rank distance when ordered). The distance between a demand
and a model is the sum over the options the demand asks for; an option left open costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from c2m.engines.aggregation.spec import AggregationSpec, OptionSpec
from c2m.engines.configurator import CompiledTemplate, NumberOption
from c2m.engines.configurator.compile import Domain

Floats = NDArray[np.float64]
Ints = NDArray[np.intp]
Bools = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class NumberFeature:
    name: str
    var: int  # the option's index in the compiled template
    grid: Floats  # every value a model can take, ascending
    tolerance: float
    weight: float
    cap: float | None  # in tolerances
    in_coverage: bool
    unit: str

    @property
    def per_unit(self) -> float:
        return self.weight / self.tolerance

    @property
    def cap_cost(self) -> float | None:
        return None if self.cap is None else self.cap * self.weight


@dataclass(frozen=True, eq=False)
class ChoiceFeature:
    name: str
    var: int
    table: Floats  # [asked, model] cost; the extra last row is "not asked" and costs nothing
    rank: Ints  # rank of each value index on the option's scale (0..V-1; V-th: not asked)
    tolerance: float  # in ranks
    in_coverage: bool
    ordered: bool
    step: float  # cost of one mismatch (unordered) or of one rank apart (ordered)

    @property
    def missing(self) -> int:
        """The code of a demand that leaves this option open."""
        return int(self.table.shape[1])


@dataclass(frozen=True, eq=False)
class Features:
    compiled: CompiledTemplate
    numbers: tuple[NumberFeature, ...]
    choices: tuple[ChoiceFeature, ...]


def features_of(spec: AggregationSpec) -> Features:
    numbers = []
    choices = []
    for option in spec.options:
        var = spec.compiled.index[option.name]
        domain = spec.compiled.domains[var]
        if isinstance(domain.option, NumberOption):
            numbers.append(_number(option, var, domain))
        else:
            choices.append(_choice(option, var, domain))
    return Features(spec.compiled, tuple(numbers), tuple(choices))


def _number(option: OptionSpec, var: int, domain: Domain) -> NumberFeature:
    assert isinstance(domain.option, NumberOption)
    assert option.tolerance is not None
    grid = np.array([float(value) for value in domain.public], dtype=np.float64)
    return NumberFeature(
        option.name,
        var,
        grid,
        float(option.tolerance),
        float(option.weight),
        option.cap,
        option.in_coverage,
        domain.option.unit,
    )


def _choice(option: OptionSpec, var: int, domain: Domain) -> ChoiceFeature:
    count = len(domain.values)
    if option.order is None:
        rank = np.arange(count)
        gaps = (rank[:, None] != rank[None, :]).astype(np.float64)
    else:
        rank = np.array([option.order.index(str(value)) for value in domain.public])
        gaps = np.abs(rank[:, None] - rank[None, :]).astype(np.float64)
    table = np.zeros((count + 1, count))
    step = option.weight * option.mismatch
    table[:count] = gaps * step
    tolerance = 0.0 if option.tolerance is None else float(option.tolerance)
    ranks = np.append(rank, count).astype(np.intp)
    ordered = option.order is not None
    return ChoiceFeature(
        option.name, var, table, ranks, tolerance, option.in_coverage, ordered, step
    )
