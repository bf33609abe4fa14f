"""The formula language refuses everything outside its whitelist and computes exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest

from c2m.engines.configurator.formula import FormulaError, Kind, parse

KINDS: dict[str, Kind] = {
    "width": "num",
    "doors": "num",
    "panel": "str",
    "ice": "bool",
    "name": "text",
}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("width.real", "Attribute is not allowed"),
        ("__import__('os')", "only min, max, abs, round, len may be called"),
        ("open('x')", "only min, max, abs, round, len may be called"),
        ("(lambda: 1)()", "only min, max, abs, round, len may be called"),
        ("lambda: 1", "Lambda is not allowed"),
        ("2 ** 1000000", "exponent must be a whole number"),
        ("width ** doors", "exponent must be a whole number"),
        ("[x for x in (1, 2)]", "ListComp is not allowed"),
        ("width[0]", "Subscript is not allowed"),
        ("max(*(1, 2))", "plain arguments"),
        ("round(width, ndigits=2)", "plain arguments"),
        ("f'{width}'", "JoinedStr is not allowed"),
        ("width := 3", "syntax error"),
        ("10 ** 20 * width", "exponent must be a whole number"),
        ("100000000000000000000 + width", "number too large"),
        ("b'x' == panel", "constant b'x' is not allowed"),
        ("None", "constant None is not allowed"),
        ("depth + 1", "unknown option 'depth'"),
        ("name == 'x'", "can only be used as len(name)"),
        ("len(width) > 2", "len() takes the name of one text option"),
        ("panel + 1", "expected a number"),
        ("panel < 'b'", "can only be compared with == or !="),
        ("panel == 3", "cannot compare"),
        ("width in (1, 'a')", "of one kind"),
        ("width in doors", "'in' needs a list of constants"),
    ],
)
def test_refuses(text: str, reason: str) -> None:
    with pytest.raises(FormulaError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(text, KINDS)


def test_syntax_errors_give_a_position() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("width + * doors", KINDS)
    assert caught.value.position == 8
    assert "column 9" in str(caught.value)
    with pytest.raises(FormulaError) as unknown:
        parse("  width > depth", KINDS)
    assert unknown.value.position == 10


def test_division_by_zero_is_reported_at_evaluation() -> None:
    formula = parse("width / (doors - 1)", KINDS)
    assert formula.evaluate({"width": 6, "doors": 4}) == 2
    with pytest.raises(FormulaError, match="division by zero"):
        formula.evaluate({"width": 6, "doors": 1})


def test_arithmetic_is_exact_and_rounds_half_up() -> None:
    assert parse("0.1 * 3 == 0.3", {}).evaluate({}) is True
    assert parse("round(2.5) + round(-2.5)", {}).evaluate({}) == 0
    assert parse("round(3.5)", {}).evaluate({}) == 4
    assert parse("round(1.005, 2)", {}).evaluate({}) == Fraction("1.01")
    assert parse("7 // 2 + 7 % 2 + 2 ** 3", {}).evaluate({}) == 12


def test_everything_the_language_offers() -> None:
    env = {"width": 80, "doors": 2, "panel": "glass", "ice": True, "name": "Ada"}
    cases = {
        "width >= 60 + 10 * doors": True,
        "40 < width <= 80": True,
        'panel in ("steel", "glass") and not ice': False,
        'panel not in ("steel",) or ice': True,
        "len(name) <= 2 * doors": True,
        "min(width, 50) + max(doors, 3) + abs(-2)": 55,
        "100 if ice else 0": 100,
        "ice + ice": 2,
    }
    for text, expected in cases.items():
        formula = parse(text, KINDS)
        assert formula.evaluate(env) == expected, text
    assert parse("len(name) + doors", KINDS).names == {"name", "doors"}
