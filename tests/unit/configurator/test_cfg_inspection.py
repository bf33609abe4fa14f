"""What a configuration declares beyond its price: the dimensions its inspection checks (nominal
values and tolerances from the configuration) and the materials it is made of."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.configurator.test_cfg_demo import FRIDGE, PLATE, SHIRT_DESIGN, compile_template

from c2m.demo.templates import DEMO_TEMPLATES, MOUNTING_PLATE, REFRIGERATOR, SHIRT
from c2m.engines.configurator import (
    ChoiceOption,
    DeclaredMaterial,
    Dimension,
    NumberOption,
    Template,
    check_template,
    complete,
    declared_materials,
    inspected_dimensions,
)
from c2m.engines.quality import Tolerance


def dims(template: Template, configuration: dict[str, object]) -> dict[str, Tolerance]:
    found = inspected_dimensions(compile_template(template), configuration)  # type: ignore[arg-type]
    return {d.name: d for d in found}


def test_the_shirt_is_measured_as_cut_for_its_wearer() -> None:
    shirt = dims(SHIRT, SHIRT_DESIGN)
    assert shirt["sleeve"] == Tolerance("sleeve", "Sleeve length", 65.0, 0.5, "cm")
    assert shirt["chest"].nominal == pytest.approx(131.0)  # 1250 mm + 60 mm slim ease
    assert shirt["collar"].nominal == pytest.approx(41.0)


def test_the_plates_holes_are_placed_within_its_tolerance_class() -> None:
    plate = dims(MOUNTING_PLATE, PLATE)
    assert plate["hole-pitch"].nominal == pytest.approx(200 / 3)  # three holes per row
    assert plate["hole-rows"].nominal == pytest.approx(100 - 3 * 8)
    assert plate["length"].tolerance == pytest.approx(1.2)  # ISO 2768 coarse, 120-400 mm
    fine = dims(MOUNTING_PLATE, {**PLATE, "tolerance": "fine", "thickness": 3})
    assert fine["length"].tolerance == pytest.approx(0.2)
    plain = dims(MOUNTING_PLATE, {**PLATE, "hole_count": 0})
    assert not {"hole-pitch", "hole-rows", "hole-diameter"} & plain.keys()


def test_the_fridge_checks_the_gap_between_doors_only_when_it_has_several() -> None:
    assert dims(REFRIGERATOR, FRIDGE)["door-spacing"].nominal == 4
    assert dims(REFRIGERATOR, FRIDGE)["width"].nominal == 750
    one_door = {**FRIDGE, "doors": 1, "ice_maker": False}
    assert "door-spacing" not in dims(REFRIGERATOR, one_door)


@st.composite
def demo_configurations(draw: st.DrawFn) -> tuple[Template, dict[str, object]]:
    """A demo product with one of its choices (a material, a fit, a panel...) made."""
    template = draw(st.sampled_from(DEMO_TEMPLATES))
    option = draw(st.sampled_from([o for o in template.options if isinstance(o, ChoiceOption)]))
    return template, {option.name: draw(st.sampled_from(option.choices))}


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(demo_configurations())
def test_every_demo_configuration_declares_its_whole_mass_and_positive_tolerances(
    chosen: tuple[Template, dict[str, object]],
) -> None:
    template, choices = chosen
    compiled = compile_template(template)
    configuration = complete(compiled, choices)  # type: ignore[arg-type]
    materials = declared_materials(compiled, configuration)
    assert sum(m.mass_fraction for m in materials) == pytest.approx(1.0)
    assert all(d.tolerance > 0 for d in inspected_dimensions(compiled, configuration))


def test_a_dimension_or_material_a_template_cannot_use_is_named() -> None:
    base = Template("t", "T", 1, (NumberOption("a", 0, 3),))

    def problems(**parts: object) -> dict[str, str]:
        return {p.where: p.message for p in check_template(replace(base, **parts))}  # type: ignore[arg-type]

    typo = problems(inspection=(Dimension("typo", "Typo", "depth", "1"),))
    assert "unknown option 'depth'" in typo["typo"]
    zero = problems(inspection=(Dimension("zero", "Zero", "1", "10 / a"),))
    assert "division by zero when a = 0" in zero["zero"]
    air = problems(materials=(DeclaredMaterial("Air", 1.5),))
    assert "shares between 0 and 1" in air["materials: Air"]
