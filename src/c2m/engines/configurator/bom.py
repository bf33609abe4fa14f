"""The bill of materials of a configuration: what each order of it takes from stock, and when.

Quantities are exact formulas rounded half up to thousandths of the material's unit, so a
template picks units thousandths serve (m² of sheet steel, metres of fabric, grams of filament).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from c2m.engines.configurator.compile import CompiledTemplate
from c2m.engines.configurator.formula import FormulaError, round_half_up
from c2m.engines.configurator.model import Configuration
from c2m.engines.configurator.pricing import environment

PLACES = 3  # decimals a bill's quantities keep


@dataclass(frozen=True, slots=True)
class Requirement:
    """``quantity`` ``unit`` of ``material``, taken when step ``step`` starts."""

    id: str
    material: str
    name: str
    quantity: Decimal
    unit: str
    step: str | None


def bill_of_materials(
    compiled: CompiledTemplate, configuration: Configuration, quantity: int = 1
) -> tuple[Requirement, ...]:
    """What making ``quantity`` pieces of ``configuration`` takes; items of the same material
    stay separate lines, as the template lists them."""
    env = environment(compiled, configuration, quantity)
    items = {item.id: item for item in compiled.template.bom}
    out = []
    for guarded in compiled.bom:
        if not guarded.when.truth(env):
            continue
        exact = round_half_up(Fraction(guarded.value.evaluate(env)), PLACES)
        if exact < 0:
            raise FormulaError(f"material {guarded.id!r} comes out negative ({float(exact)})")
        item = items[guarded.id]
        amount = Decimal(exact.numerator * 10**PLACES // exact.denominator).scaleb(-PLACES)
        out.append(Requirement(item.id, item.material, item.name, amount, item.unit, item.step))
    return tuple(out)
