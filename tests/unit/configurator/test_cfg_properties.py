"""Acceptance 1: on random small templates, every engine answer agrees with brute force."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from c2m.engines.configurator import (
    BooleanOption,
    ChoiceOption,
    CompiledTemplate,
    ConfigurationError,
    NumberOption,
    Option,
    Rule,
    Template,
    TextOption,
    Value,
    check_template,
    compile_template,
    complete,
    constraint,
    excludes,
    possibilities,
    repair,
    requires,
    validate,
)
from c2m.engines.configurator.formula import Kind, parse

KIND: dict[type, Kind] = {
    NumberOption: "num",
    ChoiceOption: "str",
    BooleanOption: "bool",
    TextOption: "text",
}

SETTINGS = settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def values_of(option: Option) -> list[Value]:
    if isinstance(option, NumberOption):
        return list(range(int(option.minimum), int(option.maximum) + 1, int(option.step)))
    if isinstance(option, ChoiceOption):
        return list(option.choices)
    if isinstance(option, BooleanOption):
        return [False, True]
    assert isinstance(option, TextOption)
    return ["A" * n for n in range(option.max_length + 1)]


@st.composite
def options(draw: st.DrawFn) -> tuple[Option, ...]:
    made: list[Option] = [NumberOption("n0", 0, draw(st.integers(1, 4)))]
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["number", "choice", "boolean", "text"]))
        name = f"{kind[0]}{i + 1}"
        if kind == "number":
            low = draw(st.integers(0, 2))
            step = draw(st.integers(1, 2))
            made.append(NumberOption(name, low, low + step * draw(st.integers(1, 3)), step))
        elif kind == "choice":
            made.append(ChoiceOption(name, tuple("xyz"[: draw(st.integers(2, 3))])))
        elif kind == "boolean":
            made.append(BooleanOption(name))
        else:
            made.append(TextOption(name, draw(st.integers(1, 3)), "AB"))
    return tuple(made)


def atoms(option: Option, draw: st.DrawFn) -> str:
    """A random condition on ``option`` (and the number option n0)."""
    name = option.name
    k = draw(st.integers(0, 4))
    if isinstance(option, NumberOption):
        return draw(
            st.sampled_from(
                [
                    f"{name} + n0 <= {k + 1}",
                    f"{name} != n0",
                    f"{name} * 2 >= n0 + {k}",
                    f"{name} % 2 == {k % 2}",
                    f"{name} > {k}",
                ]
            )
        )
    if isinstance(option, ChoiceOption):
        return f'{name} == "{draw(st.sampled_from(option.choices))}"'
    if isinstance(option, BooleanOption):
        return draw(st.sampled_from([name, f"not {name}", f"{name} == (n0 > {k})"]))
    return draw(
        st.sampled_from([f"len({name}) <= n0", f"len({name}) > {k % 3}", f"len({name}) != {k % 3}"])
    )


@st.composite
def templates(draw: st.DrawFn) -> Template:
    made = draw(options())
    rules: list[Rule] = []
    for number in range(draw(st.integers(1, 4))):
        first = atoms(draw(st.sampled_from(made)), draw)
        second = atoms(draw(st.sampled_from(made)), draw)
        kind = draw(st.sampled_from(["requires", "excludes", "constraint"]))
        rule_id = f"r{number}"
        if kind == "requires":
            rules.append(requires(rule_id, first, second, f"{first} needs {second}"))
        elif kind == "excludes":
            rules.append(excludes(rule_id, first, second, f"{first} excludes {second}"))
        else:
            rules.append(constraint(rule_id, first, f"{first} must hold"))
    return Template("random", "Random", 1, made, tuple(rules))


def every_configuration(template: Template) -> list[dict[str, Value]]:
    names = [o.name for o in template.options]
    combos = product(*(values_of(o) for o in template.options))
    return [dict(zip(names, combo, strict=True)) for combo in combos]


def broken_rules(template: Template, configuration: dict[str, Value]) -> set[str]:
    """The rules ``configuration`` breaks, evaluated directly, without the engine's compiler."""
    kinds: dict[str, Kind] = {}
    for option in template.options:
        kinds[option.name] = KIND[type(option)]
    return {
        rule.id
        for rule in template.rules
        if parse(rule.when, kinds).truth(configuration)
        and not parse(rule.condition, kinds).truth(configuration)
    }


def brute_valid(template: Template) -> list[dict[str, Value]]:
    return [c for c in every_configuration(template) if not broken_rules(template, c)]


def compiled_or_none(template: Template) -> CompiledTemplate | None:
    """The compiled template, or None when refused (then for a reason naming its rules)."""
    problems = check_template(template)
    if problems:
        assert {p.where for p in problems} <= {r.id for r in template.rules}
        return None
    return compile_template(template)


@SETTINGS
@given(templates())
def test_validator_accepts_exactly_the_configurations_that_keep_every_rule(
    template: Template,
) -> None:
    compiled = compiled_or_none(template)
    if compiled is None:
        assert not brute_valid(template), "a satisfiable template was refused"
        return
    assert brute_valid(template), "a template without valid configurations was accepted"
    for configuration in every_configuration(template):
        outcome = validate(compiled, configuration)
        broken = broken_rules(template, configuration)
        assert outcome.valid == (not broken)
        assert {v.rule_id for v in outcome.violations} == broken
        assert all(v.message.endswith(").") for v in outcome.violations)


def partial(draw: st.DrawFn, template: Template) -> dict[str, Value]:
    chosen = draw(st.lists(st.sampled_from(template.options), unique=True, max_size=2))
    return {option.name: draw(st.sampled_from(values_of(option))) for option in chosen}


@SETTINGS
@given(st.data())
def test_possible_values_are_exactly_those_that_can_be_completed(data: st.DataObject) -> None:
    template = data.draw(templates())
    compiled = compiled_or_none(template)
    if compiled is None:
        return
    choices = partial(data.draw, template)
    every = brute_valid(template)
    valid = [c for c in every if all(c[k] == v for k, v in choices.items())]
    outcome = possibilities(compiled, choices)
    event("consistent" if valid else "conflicting choices")
    event("some value excluded" if any(s.excluded for s in outcome.options) else "nothing excluded")
    assert outcome.consistent == bool(valid)
    if not valid:
        assert outcome.conflict
        with pytest.raises(ConfigurationError) as error:
            complete(compiled, choices)
        assert error.value.violations
        return
    for option in template.options:
        others = {k: v for k, v in choices.items() if k != option.name}
        keeping = [c for c in every if all(c[k] == v for k, v in others.items())]
        state = outcome.state(option.name)
        for value in values_of(option):
            reachable = any(c[option.name] == value for c in keeping)
            assert outcome.allows(option.name, value) == reachable, (option.name, value)
        for exclusion in state.excluded:
            assert exclusion.rule_ids
            assert exclusion.reason
    completed = complete(compiled, choices)
    assert validate(compiled, completed).valid
    assert all(completed[k] == v for k, v in choices.items())


@SETTINGS
@given(st.data())
def test_repair_changes_the_fewest_options(data: st.DataObject) -> None:
    template = data.draw(templates())
    compiled = compiled_or_none(template)
    if compiled is None:
        return
    start = data.draw(st.sampled_from(every_configuration(template)))
    result = repair(compiled, start)
    assert validate(compiled, result.configuration).valid
    changed = {k for k in start if result.configuration[k] != start[k]}
    assert set(result.changed) == changed
    fewest = min(sum(c[k] != start[k] for k in start) for c in brute_valid(template))
    assert len(changed) == fewest
    event(f"{fewest} options changed")
    assert result.optimal
