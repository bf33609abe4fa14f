"""Acceptance 1, as properties over random small templates, specs and demands: every model is
a valid configuration, every demand is assigned to its nearest model, the reported coverage is
the share actually within tolerance, and a k chosen for a coverage target meets it.

Distances and tolerance are recomputed here from their documented definitions, option by
option in plain Python, independently of the engine's arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from c2m.engines.aggregation import (
    Aggregation,
    AggregationSpec,
    Demand,
    Effort,
    OptionSpec,
    aggregate,
    spec_for,
)
from c2m.engines.aggregation.costs import value_costs
from c2m.engines.aggregation.encoded import encode
from c2m.engines.aggregation.features import features_of
from c2m.engines.aggregation.optimum import cheapest_valid
from c2m.engines.configurator import (
    ChoiceOption,
    CompiledTemplate,
    NumberOption,
    Option,
    Rule,
    Template,
    Value,
    compile_template,
    constraint,
    requires,
    validate,
)

QUICK = Effort(starts=1, swaps=1)


@dataclass(frozen=True)
class Case:
    compiled: CompiledTemplate
    spec: AggregationSpec
    demands: list[Demand]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Two or three numbers and up to two choices, rules that hold for a planted configuration
    (so the template compiles), and demands that ask for any subset of the options."""
    numbers = draw(st.integers(2, 3))
    choices = draw(st.integers(0, 2))
    options: list[Option] = []
    planted: dict[str, Value] = {}
    for i in range(numbers):
        step = draw(st.sampled_from([1, 2, 5]))
        top = step * draw(st.integers(2, 8))
        options.append(NumberOption(f"n{i}", 0, top, step))
        planted[f"n{i}"] = step * draw(st.integers(0, top // step))
    for j in range(choices):
        values = tuple(f"v{m}" for m in range(draw(st.integers(2, 4))))
        options.append(ChoiceOption(f"c{j}", values))
        planted[f"c{j}"] = draw(st.sampled_from(values))
    rules: list[Rule] = []
    for r in range(draw(st.integers(0, 3))):
        a, b = draw(st.lists(st.integers(0, numbers - 1), min_size=2, max_size=2, unique=True))
        slack = draw(st.integers(0, 4))
        bound = int(planted[f"n{a}"]) - int(planted[f"n{b}"]) + slack
        rules.append(constraint(f"r{r}", f"n{a} - n{b} <= {bound}", "difference"))
    if choices:
        value = planted["c0"]
        rules.append(
            requires("link", f'c0 == "{value}"', f"n0 >= {planted['n0']}", "choice needs size")
        )
    compiled = compile_template(Template("t", "T", 1, tuple(options), tuple(rules)))
    overrides = []
    for option in options:
        weight = draw(st.sampled_from([0.5, 1.0, 2.0]))
        if isinstance(option, NumberOption):
            tolerance = option.step * draw(st.sampled_from([0.5, 1.0, 2.0]))
            cap = draw(st.sampled_from([None, 1.0, 3.0]))
            overrides.append(OptionSpec(option.name, weight, tolerance, cap))
        else:
            assert isinstance(option, ChoiceOption)
            ordered = draw(st.booleans())
            order = option.choices[::-1] if ordered else None
            tolerance = draw(st.sampled_from([0.0, 1.0])) if ordered else None
            overrides.append(OptionSpec(option.name, weight, tolerance, order=order))
    spec = spec_for(compiled, overrides)
    demands = []
    for d in range(draw(st.integers(1, 25))):
        values: dict[str, Value] = {}
        for option in options:
            if not draw(st.booleans()) and draw(st.booleans()):
                continue  # about a quarter of the options are left open
            if isinstance(option, NumberOption):
                values[option.name] = draw(
                    st.floats(0, float(option.maximum), allow_nan=False).map(lambda x: round(x, 1))
                )
            else:
                assert isinstance(option, ChoiceOption)
                values[option.name] = draw(st.sampled_from(option.choices))
        demands.append(Demand(f"d{d}", values, draw(st.sampled_from([1.0, 2.0, 3.0]))))
    return Case(compiled, spec, demands)


def distance(spec: AggregationSpec, asked: Demand, model: dict[str, Value]) -> float:
    """The documented distance: a weighted sum over the options the demand asks for."""
    total = 0.0
    for option in spec.options:
        if option.name not in asked.values:
            continue
        a, m = asked.values[option.name], model[option.name]
        if isinstance(a, str):
            assert isinstance(m, str)
            gap = abs(option.order.index(a) - option.order.index(m)) if option.order else a != m
            total += option.weight * option.mismatch * float(gap)
        else:
            assert isinstance(m, int | float)
            assert option.tolerance is not None
            units = abs(float(a) - float(m)) / option.tolerance
            total += option.weight * (units if option.cap is None else min(units, option.cap))
    return total


def within(spec: AggregationSpec, asked: Demand, model: dict[str, Value]) -> bool:
    """The documented tolerance: every asked option that counts is within its tolerance."""
    for option in spec.options:
        if option.name not in asked.values or not option.in_coverage:
            continue
        a, m = asked.values[option.name], model[option.name]
        if isinstance(a, str):
            assert isinstance(m, str)
            gap = abs(option.order.index(a) - option.order.index(m)) if option.order else a != m
            if gap > (option.tolerance or 0):
                return False
        else:
            assert isinstance(m, int | float)
            assert option.tolerance is not None
            if abs(float(a) - float(m)) > option.tolerance * (1 + 1e-9):
                return False
    return True


def check_result(case: Case, result: Aggregation) -> None:
    models = [dict(model.configuration) for model in result.models]
    for model in models:
        assert validate(case.compiled, model).valid, model
    covered = 0.0
    for position, demand in enumerate(case.demands):
        to_each = [distance(case.spec, demand, model) for model in models]
        label = int(result.labels[position])
        assert abs(float(result.distances[position]) - to_each[label]) < 1e-6
        assert to_each[label] <= min(to_each) + 1e-6, "a nearer model exists"
        inside = within(case.spec, demand, models[label])
        assert bool(result.within[position]) == inside
        assert result.assignment(position).within_tolerance == inside
        covered += demand.weight * inside
    share = covered / sum(d.weight for d in case.demands)
    assert abs(result.coverage - share) < 1e-9
    assert sum(m.demands for m in result.models) == len(case.demands)
    assert all(m.demands > 0 for m in result.models)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.integers(1, 5), st.integers(0, 3))
def test_fixed_k_gives_valid_models_and_nearest_assignments(case: Case, k: int, seed: int) -> None:
    k = min(k, len(case.demands))
    result = aggregate(case.spec, case.demands, k=k, seed=seed, effort=QUICK)
    assert 1 <= result.k <= k
    check_result(case, result)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from([0.3, 0.6, 0.9, 1.0]))
def test_k_chosen_for_a_coverage_target_meets_it(case: Case, target: float) -> None:
    result = aggregate(case.spec, case.demands, coverage=target, effort=QUICK)
    check_result(case, result)
    assert result.target_met == (result.coverage >= target)
    if result.target_met:
        smaller = [p for p in result.curve if p.k < result.k]
        assert all(p.coverage < target for p in smaller), "a smaller k tried met the target"
    else:  # only when even the most models allowed could not
        assert max(p.k for p in result.curve) <= len(case.demands)
    assert any(abs(p.coverage - result.coverage) < 1e-12 for p in result.curve)


@settings(max_examples=60, deadline=None)
@given(cases(), st.data())
def test_a_model_is_the_cheapest_valid_configuration(case: Case, data: st.DataObject) -> None:
    """Centring agrees with brute force over every valid configuration of the template."""
    compiled = case.compiled
    costs = [
        np.array(data.draw(st.lists(st.floats(0, 10), min_size=n, max_size=n)))
        for n in (len(domain.values) for domain in compiled.domains)
    ]
    valid_totals = [
        sum(float(c[i]) for c, i in zip(costs, combination, strict=True))
        for combination in product(*(range(len(d.values)) for d in compiled.domains))
        if all(table.allows(list(combination)) for table in compiled.network.tables)
    ]
    found = cheapest_valid(compiled, costs)
    assert found.optimal
    assert abs(found.cost - min(valid_totals)) < 1e-9


@settings(max_examples=60, deadline=None)
@given(cases(), st.data())
def test_value_costs_are_the_summed_distances(case: Case, data: st.DataObject) -> None:
    """What a value would cost a group is the weighted sum of the group's distances to it."""
    features = features_of(case.spec)
    encoded = encode(features, case.demands)
    k = data.draw(st.integers(1, 3))
    labels = np.array(
        data.draw(st.lists(st.integers(0, k - 1), min_size=encoded.size, max_size=encoded.size))
    )
    tables = value_costs(features, encoded, labels, k)
    base: dict[str, Value] = {d.name: d.public[d.default] for d in case.compiled.domains}
    for option in case.spec.options:
        domain = case.compiled.domains[case.compiled.index[option.name]]
        for cluster in range(k):
            for index, value in enumerate(domain.public):
                model = {**base, option.name: value}
                expected = sum(
                    d.weight * distance(case.spec, _only(d, option.name), model)
                    for d, label in zip(case.demands, labels, strict=True)
                    if label == cluster
                )
                got = tables[cluster][case.compiled.index[option.name]][index]
                assert abs(got - expected) < 1e-6


def _only(demand: Demand, name: str) -> Demand:
    values = {name: demand.values[name]} if name in demand.values else {}
    return Demand(demand.id, values, demand.weight)
