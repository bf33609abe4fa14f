"""The outcome a page can render: models, each demand's model and what differs from its wish.

Per-demand details are built on request (:meth:`Aggregation.assignment`), so 100,000 demands
cost arrays, not 100,000 objects, until someone looks at them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from c2m.engines.aggregation.choose import CurvePoint
from c2m.engines.aggregation.demand import Demand
from c2m.engines.aggregation.distance import SLACK
from c2m.engines.aggregation.features import Bools, Features, Floats, Ints
from c2m.engines.aggregation.spec import AggregationSpec
from c2m.engines.configurator import Value


@dataclass(frozen=True, slots=True)
class Difference:
    """One option where the model is not what the demand asked for.

    ``change`` is model minus asked for numbers (``sleeve +8 mm``: the model is 8 mm longer),
    None for choices; ``within`` says whether the difference is within the option's tolerance.
    """

    option: str
    asked: Value
    model: Value
    change: float | None
    unit: str
    within: bool

    def __str__(self) -> str:
        if self.change is None:
            return f"{self.option} {self.model} instead of {self.asked}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.option} {self.change:+g}{unit}"


@dataclass(frozen=True, slots=True)
class Assignment:
    """A demand's model, its distance to it, and every asked option: differing or as asked."""

    demand_id: str
    model: int
    distance: float
    within_tolerance: bool
    differences: tuple[Difference, ...]
    as_asked: tuple[str, ...]

    def __str__(self) -> str:
        parts = [str(d) for d in self.differences]
        parts += [f"{name} as you asked" for name in self.as_asked]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Model:
    """A centralized model: a valid configuration and the demand it gathers."""

    index: int
    configuration: Mapping[str, Value]
    demands: int
    weight: float
    covered_weight: float
    mismatch: float


@dataclass(frozen=True, eq=False)
class DemandMap:
    """Two-dimensional coordinates for a picture: demands and models in one plane."""

    x: Floats
    y: Floats
    model_x: Floats
    model_y: Floats


@dataclass(frozen=True, eq=False)
class Aggregation:
    """``labels[i]`` is the model of ``demands[i]``; coverage and mismatch are demand-weighted.

    ``target_met`` is None unless a coverage target was asked for.
    """

    spec: AggregationSpec
    features: Features
    demands: tuple[Demand, ...]
    models: tuple[Model, ...]
    labels: Ints
    distances: Floats
    within: Bools
    coverage: float
    mismatch: float
    curve: tuple[CurvePoint, ...]
    map: DemandMap
    target_met: bool | None

    @property
    def k(self) -> int:
        return len(self.models)

    def assignment(self, position: int) -> Assignment:
        demand = self.demands[position]
        model = self.models[int(self.labels[position])]
        differences = []
        as_asked = []
        for option in self.spec.options:
            if option.name not in demand.values:
                continue
            asked, made = demand.values[option.name], model.configuration[option.name]
            domain = self.spec.compiled.domains[self.spec.compiled.index[option.name]]
            same = (
                asked == made
                if domain.kind == "num"
                else domain.index_of(asked) == domain.index_of(made)  # "#c8102e" is "red"
            )
            if same:
                as_asked.append(option.name)
            else:
                differences.append(self._difference(option.name, asked, made))
        return Assignment(
            demand.id,
            model.index,
            float(self.distances[position]),
            bool(self.within[position]),
            tuple(differences),
            tuple(as_asked),
        )

    def assignments(self) -> Iterator[Assignment]:
        return (self.assignment(position) for position in range(len(self.demands)))

    def _difference(self, name: str, asked: Value, made: Value) -> Difference:
        for number in self.features.numbers:
            if number.name == name:
                assert isinstance(asked, int | float)
                assert isinstance(made, int | float)
                change = round(float(made) - float(asked), 9)
                within = abs(change) <= number.tolerance * (1 + SLACK)
                return Difference(name, asked, made, change, number.unit, within)
        choice = next(c for c in self.features.choices if c.name == name)
        domain = self.spec.compiled.domains[choice.var]
        asked_at, made_at = domain.index_of(asked), domain.index_of(made)
        assert asked_at is not None
        assert made_at is not None
        within = abs(int(choice.rank[asked_at]) - int(choice.rank[made_at])) <= choice.tolerance
        return Difference(name, asked, made, None, "", within)
