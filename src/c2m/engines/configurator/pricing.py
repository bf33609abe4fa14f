"""Price and lead time of a valid configuration, deterministic and in integer minor units.

Each price line is rounded half up to a whole minor unit on its own, so the lines a user sees
always add up to the unit price; the quantity break then applies to the unit price.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from c2m.engines.configurator.compile import CompiledTemplate, Guarded
from c2m.engines.configurator.formula import FormulaError, round_half_up
from c2m.engines.configurator.model import QUANTITY, Configuration
from c2m.engines.configurator.validate import require_valid


@dataclass(frozen=True, slots=True)
class Line:
    """One applicable price or lead-time rule and what it adds."""

    id: str
    label: str
    amount: int


@dataclass(frozen=True, slots=True)
class Price:
    currency: str
    lines: tuple[Line, ...]  # per piece, minor units
    unit_price: int  # sum of the lines
    percent_off: int  # from the quantity break that applies
    discounted_unit_price: int
    quantity: int
    total: int


@dataclass(frozen=True, slots=True)
class LeadTime:
    days: int
    lines: tuple[Line, ...]


def applicable(rules: tuple[Guarded, ...], env: dict[str, Any]) -> tuple[Line, ...]:
    """The rules whose condition holds, each with its value rounded half up to an integer."""
    lines = []
    for rule in rules:
        if rule.when.truth(env):
            amount = round_half_up(Fraction(rule.value.evaluate(env)))
            lines.append(Line(rule.id, rule.label, int(amount)))
    return tuple(lines)


def environment(
    compiled: CompiledTemplate, configuration: Configuration, quantity: int
) -> dict[str, Any]:
    """Formula values of a valid configuration, plus ``quantity``."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    return {**require_valid(compiled, configuration), QUANTITY: Fraction(quantity)}


def price(compiled: CompiledTemplate, configuration: Configuration, quantity: int = 1) -> Price:
    """What ``quantity`` pieces cost; raises ConfigurationError for an invalid configuration."""
    lines = applicable(compiled.prices, environment(compiled, configuration, quantity))
    unit = sum(line.amount for line in lines)
    if unit < 0:
        raise FormulaError(f"the unit price comes out negative ({unit})")
    breaks = [b for b in compiled.template.quantity_breaks if quantity >= b.min_quantity]
    percent = max((b.percent_off for b in breaks), default=0)
    discounted = int(round_half_up(Fraction(unit * (100 - percent), 100)))
    currency = compiled.template.currency
    return Price(currency, lines, unit, percent, discounted, quantity, discounted * quantity)


def lead_time(
    compiled: CompiledTemplate, configuration: Configuration, quantity: int = 1
) -> LeadTime:
    """Days from payment to shipping: the sum of the lead-time rules that apply."""
    lines = applicable(compiled.lead_times, environment(compiled, configuration, quantity))
    return LeadTime(max(0, sum(line.amount for line in lines)), lines)
