"""Acceptance 2: the demo products price, time and route as computed by hand, every time."""

from __future__ import annotations

from functools import cache

import pytest

from c2m.demo.templates import MOUNTING_PLATE, REFRIGERATOR, SHIRT
from c2m.engines.configurator import (
    CompiledTemplate,
    ConfigurationError,
    Forced,
    Template,
    Value,
    complete,
    forced_changes,
    lead_time,
    possibilities,
    price,
    repair,
    routing,
    validate,
)
from c2m.engines.configurator import compile_template as compile_once


@cache
def compile_template(template: Template) -> CompiledTemplate:
    """Compiled once per test run: compiling enumerates every rule's table."""
    return compile_once(template)


FRIDGE = {
    "capacity": 400,
    "width": 75,
    "doors": 2,
    "panel": "steel",
    "colour": "black",
    "ice_maker": True,
    "engraving": "Ada",
}
SHIRT_DESIGN = {
    "chest": 1250,
    "waist": 1100,
    "sleeve": 650,
    "neck": 400,
    "shoulder": 470,
    "fit": "slim",
    "collar": "button-down",
    "fabric": "oxford",
    "monogram": "JD",
}
PLATE = {
    "length": 200,
    "width": 100,
    "thickness": 2.5,
    "hole_count": 6,
    "hole_diameter": 8,
    "material": "stainless",
    "finish": "brushed",
    "tolerance": "coarse",
}


def test_refrigerator() -> None:
    compiled = compile_template(REFRIGERATOR)
    # 49900 + (400-200)*150 + 1 extra door*12000 + steel 8000 + ice 9900 + 1500 + 3*200
    quote = price(compiled, FRIDGE, quantity=5)
    assert quote.unit_price == 111_900
    assert quote.percent_off == 5
    assert quote.discounted_unit_price == 106_305
    assert quote.total == 531_525
    assert lead_time(compiled, FRIDGE).days == 10 + 2 + 1
    steps = routing(compiled, FRIDGE).operations
    assert [(s.id, s.capability, s.minutes) for s in steps] == [
        ("cut", "sheet-cut", 30),
        ("foam", "foam-inject", 50),
        ("engrave", "cnc-mill", 16),
        ("ice-maker", "assemble", 25),
        ("assemble", "assemble", 90),
        ("inspect", "inspect", 20),
        ("pack", "pack", 15),
    ]
    assert steps[1].predecessors == ("cut",)
    assert price(compiled, FRIDGE, quantity=5) == quote  # deterministic


def test_shirt() -> None:
    compiled = compile_template(SHIRT)
    quote = price(compiled, SHIRT_DESIGN, quantity=3)  # 5900 + 1000 + 50*5 + 900
    assert (quote.unit_price, quote.discounted_unit_price, quote.total) == (8050, 7245, 21_735)
    assert lead_time(compiled, SHIRT_DESIGN).days == 8
    minutes = [(s.id, s.minutes) for s in routing(compiled, SHIRT_DESIGN).operations]
    assert minutes == [("cut", 18), ("sew", 55), ("monogram", 11), ("inspect", 5), ("pack", 3)]


def test_mounting_plate() -> None:
    compiled = compile_template(MOUNTING_PLATE)
    # 1500 + 200*100*2.5/1000*14 + 6*60 + 500 - 300, exact decimals
    quote = price(compiled, PLATE, quantity=10)
    assert [line.amount for line in quote.lines] == [1500, 700, 360, 500, -300]
    assert (quote.unit_price, quote.discounted_unit_price, quote.total) == (2760, 2484, 24_840)
    assert lead_time(compiled, PLATE, quantity=10).days == 3
    plan = routing(compiled, PLATE, quantity=10)
    assert [(s.id, s.minutes) for s in plan.operations] == [
        ("cut", 80),
        ("mill", 170),
        ("inspect", 22),
        ("pack", 12),
    ]
    assert plan.total_minutes == 284


@pytest.mark.parametrize(
    ("template", "design", "change", "rule"),
    [
        (REFRIGERATOR, FRIDGE, {"width": 60, "capacity": 300}, "doors-need-width"),
        (REFRIGERATOR, FRIDGE, {"capacity": 450}, "capacity-fits-width"),
        (REFRIGERATOR, FRIDGE, {"doors": 1, "width": 75}, "ice-maker-needs-freezer-door"),
        (
            REFRIGERATOR,
            FRIDGE,
            {"panel": "glass", "engraving": "", "colour": "red"},
            "glass-colours",
        ),
        (REFRIGERATOR, FRIDGE, {"colour": "white"}, "steel-colours"),
        (REFRIGERATOR, FRIDGE, {"panel": "glass", "colour": "silver"}, "no-engraving-on-glass"),
        (REFRIGERATOR, FRIDGE, {"engraving": "Ada Lovelace Byron X"}, "engraving-fits-width"),
        (SHIRT, SHIRT_DESIGN, {"waist": 1200}, "slim-waist"),
        (SHIRT, SHIRT_DESIGN, {"neck": 380}, "neck-closes"),
        (SHIRT, SHIRT_DESIGN, {"fabric": "flannel"}, "button-down-fabrics"),
        (SHIRT, SHIRT_DESIGN, {"fabric": "linen", "collar": "kent"}, "linen-not-slim"),
        (SHIRT, SHIRT_DESIGN, {"monogram": "J"}, "monogram-letters"),
        (MOUNTING_PLATE, PLATE, {"hole_count": 5}, "holes-in-pairs"),
        (MOUNTING_PLATE, PLATE, {"length": 60}, "holes-fit-length"),
        (MOUNTING_PLATE, PLATE, {"width": 30}, "edge-distance"),
        (MOUNTING_PLATE, PLATE, {"thickness": 9}, "hole-not-thinner-than-plate"),
        (MOUNTING_PLATE, PLATE, {"finish": "anodized"}, "anodize-aluminium"),
        (MOUNTING_PLATE, PLATE, {"material": "pom", "finish": "powder-coat"}, "pom-no-coating"),
        (MOUNTING_PLATE, PLATE, {"tolerance": "fine"}, "fine-needs-stiffness"),
    ],
)
def test_every_demo_rule_binds(
    template: Template, design: dict[str, Value], change: dict[str, Value], rule: str
) -> None:
    compiled = compile_template(template)
    assert validate(compiled, design).valid
    broken = {**design, **change}
    outcome = validate(compiled, broken)
    assert [v.rule_id for v in outcome.violations] == [rule]
    with pytest.raises(ConfigurationError):
        price(compiled, broken)
    fixed = repair(compiled, broken)
    assert validate(compiled, fixed.configuration).valid
    assert len(fixed.changed) == 1


def test_repair_keeps_what_the_user_just_chose() -> None:
    compiled = compile_template(REFRIGERATOR)
    wish = {**FRIDGE, "doors": 1}  # the ice maker needs two doors
    assert repair(compiled, wish).changed == ("ice_maker",)  # one change; no steps moved
    kept = repair(compiled, wish, keep=["ice_maker"])
    assert kept.changed == ("doors",)
    assert kept.configuration["doors"] == 2  # the nearest number of doors that works


def test_refrigerator_configurator_disables_what_the_rules_forbid() -> None:
    compiled = compile_template(REFRIGERATOR)
    choices: dict[str, Value] = {"doors": 1, "panel": "glass", "width": 60}
    state = possibilities(compiled, choices)
    assert not state.allows("ice_maker", True)
    assert state.allows("ice_maker", False)
    (ice,) = state.state("ice_maker").excluded
    assert ice.rule_ids == ("ice-maker-needs-freezer-door",)
    assert "two doors" in ice.reason
    assert not state.allows("colour", "red")
    assert state.state("engraving").allowed[0].last == 0  # glass: no engraving at all
    capacity = state.state("capacity")
    assert [(s.first, s.last) for s in capacity.allowed] == [(200, 300)]  # 7 * 60 - 100 = 320
    assert [(e.first, e.last, e.rule_ids) for e in capacity.excluded] == [
        (350, 600, ("capacity-fits-width",))
    ]


DOORS_RULE = "Each door needs 10 cm of width on a 45 cm body"
ICE_RULE = "An ice maker sits in the freezer door: choose at least two doors"


def test_a_shared_design_shows_what_each_choice_cannot_change_to() -> None:
    """Issue 19: a shared design has every option chosen; its impossible values still show."""
    compiled = compile_template(REFRIGERATOR)
    shared = complete(compiled, {})  # one door, 60 cm, no ice maker
    state = possibilities(compiled, shared)
    (ice,) = state.state("ice_maker").excluded
    assert (ice.first, ice.rule_ids, ice.reason) == (
        True,
        ("ice-maker-needs-freezer-door",),
        ICE_RULE,
    )
    assert state.state("ice_maker").chosen is False
    doors = state.state("doors")
    assert [(s.first, s.last) for s in doors.allowed] == [(1, 1)]  # 60 cm holds one door
    assert [(e.first, e.last, e.reason) for e in doors.excluded] == [(2, 4, DOORS_RULE)]
    width = state.state("width")
    assert [(e.first, e.last) for e in width.excluded] == [(55, 55)]
    assert [(s.first, s.last) for s in width.allowed] == [(60, 90)]


def test_the_ice_maker_says_which_options_it_changed_and_why() -> None:
    """Issue 19: choosing the ice maker moves doors and width; each change names its rule."""
    compiled = compile_template(REFRIGERATOR)
    before = complete(compiled, {})
    after = complete(compiled, {"ice_maker": True})
    assert forced_changes(compiled, before, after, {"ice_maker"}) == (
        Forced("doors", "Doors", 1, 2, (ICE_RULE,)),
        Forced("width", "Width", 60, 65, (DOORS_RULE,)),
    )
    assert forced_changes(compiled, before, before, set()) == ()
