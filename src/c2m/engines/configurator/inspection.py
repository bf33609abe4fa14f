"""What a configuration declares beyond its price and routing: the dimensions its inspection
step checks, with their nominal values and tolerances, and the materials it is made of."""

from __future__ import annotations

from fractions import Fraction

from c2m.engines.configurator.compile import CompiledTemplate
from c2m.engines.configurator.model import Configuration, DeclaredMaterial
from c2m.engines.configurator.validate import require_valid
from c2m.engines.quality import Tolerance


def inspected_dimensions(
    compiled: CompiledTemplate, configuration: Configuration
) -> tuple[Tolerance, ...]:
    """Each dimension to check on a piece of ``configuration``, in the template's order;
    raises ConfigurationError for an invalid configuration."""
    env = require_valid(compiled, configuration)
    return tuple(
        Tolerance(
            name=d.nominal.id,
            label=d.nominal.label,
            nominal=float(Fraction(d.nominal.value.evaluate(env))),
            tolerance=abs(float(Fraction(d.tolerance.value.evaluate(env)))),
            unit=d.unit,
        )
        for d in compiled.inspection
        if d.nominal.when.truth(env)
    )


def declared_materials(
    compiled: CompiledTemplate, configuration: Configuration
) -> tuple[DeclaredMaterial, ...]:
    """The template's materials that apply to ``configuration``."""
    env = require_valid(compiled, configuration)
    return tuple(
        material
        for material, when in zip(compiled.template.materials, compiled.materials, strict=True)
        if when.truth(env)
    )
