"""Invalid templates are refused with problems that name the offending rule."""

from __future__ import annotations

import pytest

from c2m.engines.configurator import (
    NumberOption,
    Picture,
    PriceRule,
    Rule,
    Template,
    TemplateError,
    TextOption,
    check_template,
    compile_template,
    constraint,
)

OPTIONS = (NumberOption("a", 0, 3), NumberOption("b", 0, 3), TextOption("name", 4, "ABC"))


def problems(*rules: Rule, prices: tuple[PriceRule, ...] = ()) -> dict[str, str]:
    template = Template("t", "T", 1, OPTIONS, rules, prices)
    return {p.where: p.message for p in check_template(template)}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (constraint("typo", "a <= depth", "-"), "unknown option 'depth' at column 6"),
        (constraint("syntax", "a <= (b", "-"), "syntax error"),
        (constraint("zero", "10 / (a - 1) > 2", "-"), "division by zero when a = 1"),
        (constraint("never", "a > 5", "-"), "can never hold"),
        (constraint("unsafe", "__import__('os')", "-"), "may be called"),
    ],
)
def test_a_bad_rule_is_named(rule: Rule, expected: str) -> None:
    found = problems(rule, constraint("fine", "a <= b", "-"))
    assert list(found) == [rule.id]
    assert expected in found[rule.id]


def test_contradictory_and_cyclic_rules_are_named_as_a_minimal_set() -> None:
    found = problems(
        constraint("a-above-b", "a > b", "-"),
        constraint("bystander", "len(name) <= 3", "-"),
        constraint("b-above-a", "b > a", "-"),
    )
    assert set(found) == {"a-above-b", "b-above-a"}
    assert "contradict each other" in found["a-above-b"]


def test_price_formulas_are_checked_too() -> None:
    found = problems(prices=(PriceRule("per-b", "Per b", "100 / b"),))
    assert "division by zero when b = 0" in found["per-b"]
    guarded = problems(prices=(PriceRule("per-b", "Per b", "100 / b", when="b > 0"),))
    assert guarded == {}


def test_compile_raises_with_every_problem() -> None:
    template = Template(
        "t",
        "T",
        1,
        (*OPTIONS, NumberOption("a", 0, 1), NumberOption("huge", 0, 10**6)),
        (constraint("x", "a > 1", "-"), constraint("x", "b > 1", "-")),
    )
    with pytest.raises(TemplateError) as caught:
        compile_template(template)
    where = {p.where for p in caught.value.problems}
    assert where == {"a", "huge", "x"}  # twice-defined option, too many steps, id used twice
    assert "1000001 steps, more than 10000" in str(caught.value)


def test_a_picture_reads_only_options_the_template_has() -> None:
    drawn = Picture("plate", "plate", (("length", "a"), ("width", "depth")))
    found = check_template(Template("t", "T", 1, OPTIONS, picture=drawn))
    assert [(p.where, p.message) for p in found] == [
        ("picture", "the picture's 'width' reads no option: 'depth'")
    ]
