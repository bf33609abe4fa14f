"""What matters when demands are pooled: per option, a tolerance, an importance and a cost.

Numbers are compared in units of their tolerance (10 mm of sleeve may matter as much as 100 l
of fridge volume); choices cost ``mismatch`` when they differ, or ``mismatch`` per rank when
they are ordered (slim < regular < relaxed). Text options (a monogram) are personal and never
pooled: a model takes their default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from math import isfinite

from c2m.engines.configurator import (
    ChoiceOption,
    ColourOption,
    CompiledTemplate,
    NumberOption,
    TextOption,
)

DEFAULT_TOLERANCE_SHARE = 0.05  # of a number option's range, when the spec names none


class SpecError(ValueError):
    """An aggregation spec that does not fit its template; the message names the option."""


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """How one option counts. ``weight`` 0 leaves it out of distance and coverage alike.

    ``tolerance``: numbers, in the option's unit (required, > 0); ordered choices, in ranks
    (default 0: must match). ``cap``: numbers only, the most one option may add, in tolerances.
    ``order``: every choice once, from one end of the scale to the other (ordered choices).
    ``in_coverage``: whether the option must be within tolerance for a demand to count as covered.
    """

    name: str
    weight: float = 1.0
    tolerance: float | None = None
    cap: float | None = None
    mismatch: float = 1.0
    order: tuple[str, ...] | None = None
    in_coverage: bool = True


@dataclass(frozen=True)
class AggregationSpec:
    """A compiled template and how each of its pooled options counts (template order)."""

    compiled: CompiledTemplate
    options: tuple[OptionSpec, ...]

    @cached_property
    def by_name(self) -> dict[str, OptionSpec]:
        return {option.name: option for option in self.options}


def spec_for(compiled: CompiledTemplate, overrides: Iterable[OptionSpec] = ()) -> AggregationSpec:
    """Defaults for every option of the template, with ``overrides`` replacing them by name.

    Default tolerance of a number: 5 % of its range, rounded up to whole steps.
    """
    given = {}
    for override in overrides:
        if override.name not in compiled.index:
            raise SpecError(f"{override.name!r} is not an option of {compiled.template.name}.")
        if override.name in given:
            raise SpecError(f"{override.name!r} is specified twice.")
        given[override.name] = override
    options = []
    for domain in compiled.domains:
        option = domain.option
        if isinstance(option, TextOption) and domain.name not in given:
            continue
        chosen = given.get(domain.name, OptionSpec(domain.name))
        if isinstance(option, NumberOption) and chosen.tolerance is None:
            chosen = replace(chosen, tolerance=_default_tolerance(option))
        _check(chosen, option)
        if chosen.weight > 0:
            options.append(chosen)
    if not options:
        raise SpecError("No option is left to compare demands on.")
    return AggregationSpec(compiled, tuple(options))


def _default_tolerance(option: NumberOption) -> float:
    share = (option.maximum - option.minimum) * DEFAULT_TOLERANCE_SHARE
    steps = max(1, -(-share // option.step))
    return float(steps * option.step)


def _check(spec: OptionSpec, option: object) -> None:
    name = spec.name
    if not isfinite(spec.weight) or spec.weight < 0:
        raise SpecError(f"The weight of {name!r} must be a finite number >= 0.")
    if isinstance(option, TextOption):
        if spec.weight > 0:
            raise SpecError(f"{name!r} is free text: it cannot be pooled (give it weight 0).")
        return
    if isinstance(option, NumberOption):
        if spec.tolerance is None or not isfinite(spec.tolerance) or spec.tolerance <= 0:
            raise SpecError(f"The tolerance of {name!r} must be a positive number.")
        if spec.cap is not None and (not isfinite(spec.cap) or spec.cap <= 0):
            raise SpecError(f"The cap of {name!r} must be a positive number of tolerances.")
        if spec.order is not None:
            raise SpecError(f"{name!r} is a number: it has no order of choices.")
        return
    if spec.cap is not None:
        raise SpecError(f"{name!r} is a choice: only numbers take a cap.")
    if not isfinite(spec.mismatch) or spec.mismatch < 0:
        raise SpecError(f"The mismatch cost of {name!r} must be a finite number >= 0.")
    if spec.tolerance is not None and (not isfinite(spec.tolerance) or spec.tolerance < 0):
        raise SpecError(f"The tolerance of {name!r} must be a number of ranks >= 0.")
    if spec.order is not None and sorted(spec.order) != sorted(_choices(option)):
        raise SpecError(f"The order of {name!r} must list each of its choices exactly once.")


def _choices(option: object) -> tuple[str, ...]:
    if isinstance(option, ChoiceOption):
        return option.choices
    if isinstance(option, ColourOption):
        return tuple(colour.name for colour in option.colours)
    return ()  # yes/no options have no order to give
