"""Bills of materials and routing graphs from configurations (issue 18)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import c2m.engines.configurator as cfg
from c2m.demo.templates import MOUNTING_PLATE, REFRIGERATOR, SHIRT
from c2m.engines.configurator import BomItem, NumberOption, OperationTemplate, Template

FRIDGE = cfg.compile_template(REFRIGERATOR)


def fridge(**choices: cfg.Value) -> cfg.Configuration:
    return cfg.complete(FRIDGE, choices)


def test_the_fridge_is_engraved_while_it_is_foamed_and_assembled_after_both() -> None:
    steps = {
        op.id: op.predecessors for op in cfg.routing(FRIDGE, fridge(engraving="ANA")).operations
    }
    assert steps["foam"] == ("cut",)
    assert steps["engrave"] == ("cut",)  # beside the foaming, not after it
    assert steps["assemble"] == ("foam", "engrave")


def test_a_step_left_out_hands_on_what_it_waited_for() -> None:
    steps = {op.id: op.predecessors for op in cfg.routing(FRIDGE, fridge()).operations}
    assert "engrave" not in steps
    assert steps["assemble"] == ("foam", "cut")  # the engraving waited for the cut


def test_the_fridges_steel_grows_with_its_capacity_and_glass_doors_take_glass_instead() -> None:
    def steel(configuration: cfg.Configuration) -> Decimal:
        bill = cfg.bill_of_materials(FRIDGE, configuration)
        return sum((r.quantity for r in bill if r.material == "sheet-steel-0.8"), Decimal(0))

    small, big = steel(fridge(width=80, capacity=300)), steel(fridge(width=80, capacity=450))
    assert Decimal("3") < small < big < Decimal("6")
    glass = fridge(width=60, capacity=300, panel="glass", colour="white")
    materials = {r.material for r in cfg.bill_of_materials(FRIDGE, glass)}
    assert "door-glass-4" in materials
    assert steel(glass) < small


def test_quantities_scale_with_the_order_and_keep_thousandths() -> None:
    shirt = cfg.compile_template(SHIRT)
    one = cfg.bill_of_materials(shirt, cfg.complete(shirt, {"fabric": "linen"}))
    three = cfg.bill_of_materials(shirt, cfg.complete(shirt, {"fabric": "linen"}), 3)
    (fabric,) = [r for r in one if r.unit == "m"]
    assert fabric.material == "fabric-linen"
    assert fabric.quantity == Decimal("1.900")  # (800 + 600 + 1000 / 2) / 1000
    assert [r.quantity * 3 for r in one] == [r.quantity for r in three]
    plate = cfg.compile_template(MOUNTING_PLATE)
    (blank,) = cfg.bill_of_materials(plate, cfg.complete(plate, {}))
    assert blank.quantity.as_tuple().exponent == -3


def _template(routing: tuple[OperationTemplate, ...], bom: tuple[BomItem, ...]) -> Template:
    return Template("t", "T", 1, (NumberOption("size", 1, 5),), routing=routing, bom=bom)


CUT = OperationTemplate("cut", "Cut", "sheet-cut", "10")


@pytest.mark.parametrize(
    ("routing", "bom", "where", "says"),
    [
        (
            (OperationTemplate("a", "A", "x", "1", after=("cut",)), CUT),
            (),
            "a",
            "not a step listed",
        ),
        ((CUT,), (BomItem("s", "steel", "Steel", "size", "kg", "weld"),), "s", "routing lacks"),
        ((CUT,), (BomItem("s", "steel", "Steel", "size", " "),), "s", "needs a material key"),
        ((CUT,), (BomItem("s", "steel", "Steel", "colour", "kg"),), "s", "colour"),
    ],
)
def test_a_bill_or_graph_that_cannot_hold_is_refused_naming_where(
    routing: tuple[OperationTemplate, ...], bom: tuple[BomItem, ...], where: str, says: str
) -> None:
    problems = cfg.check_template(_template(routing, bom))
    assert any(p.where == where and says in p.message for p in problems), problems


def test_a_negative_quantity_is_refused_when_it_comes_out() -> None:
    compiled = cfg.compile_template(
        _template((CUT,), (BomItem("s", "steel", "Steel", "2 - size", "kg"),))
    )
    with pytest.raises(cfg.FormulaError, match="negative"):
        cfg.bill_of_materials(compiled, {"size": 5})
