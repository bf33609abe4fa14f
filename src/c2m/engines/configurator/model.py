"""The template vocabulary: options, rules, prices, lead times, a routing and a bill of materials,
as plain data.

A template is what a micro-enterprise writes; it is checked and compiled once
(:func:`c2m.engines.configurator.compile.compile_template`) before anything is configured with it.
Formulas are strings in the safe language of :mod:`c2m.engines.configurator.formula`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Value = int | float | str | bool
Configuration = Mapping[str, Value]

QUANTITY = "quantity"  # a name that price, lead-time and duration formulas may use


@dataclass(frozen=True, slots=True)
class NumberOption:
    """A measure: any ``minimum + k * step`` up to ``maximum`` (decimals are exact, e.g. 0.5)."""

    name: str
    minimum: int | float
    maximum: int | float
    step: int | float = 1
    unit: str = ""
    default: int | float | None = None  # None: the minimum
    label: str = ""


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    """One of a few named values; the first is the default unless ``default`` says otherwise."""

    name: str
    choices: tuple[str, ...]
    default: str | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class BooleanOption:
    name: str
    default: bool = False
    label: str = ""


@dataclass(frozen=True, slots=True)
class Colour:
    name: str
    hex: str  # "#rrggbb", accepted as a value too


@dataclass(frozen=True, slots=True)
class ColourOption:
    """A choice among named colours; formulas see the colour's name."""

    name: str
    colours: tuple[Colour, ...]
    default: str | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class TextOption:
    """Short free text (an engraving, a monogram). Formulas may only use ``len(name)``."""

    name: str
    max_length: int
    allowed: str  # every character the text may contain
    default: str = ""
    label: str = ""


Option = NumberOption | ChoiceOption | BooleanOption | ColourOption | TextOption


@dataclass(frozen=True, slots=True)
class Rule:
    """Whenever ``when`` holds, ``condition`` must hold; ``message`` tells a person why."""

    id: str
    condition: str
    message: str
    when: str = "True"
    kind: str = "constraint"  # "requires", "excludes" or "constraint": for people, not semantics


def requires(rule_id: str, if_: str, then: str, message: str) -> Rule:
    """``if_`` needs ``then`` (an ice maker requires a water connection)."""
    return Rule(rule_id, then, message, when=if_, kind="requires")


def excludes(rule_id: str, first: str, second: str, message: str) -> Rule:
    """``first`` and ``second`` never hold together (glass panels exclude engraving)."""
    return Rule(rule_id, f"not ({second})", message, when=first, kind="excludes")


def constraint(rule_id: str, condition: str, message: str) -> Rule:
    """An arithmetic or logical condition that always holds (``width >= 60 + 20 * doors``)."""
    return Rule(rule_id, condition, message)


@dataclass(frozen=True, slots=True)
class PriceRule:
    """Adds ``amount`` (a formula, in minor units per piece) whenever ``when`` holds."""

    id: str
    label: str
    amount: str
    when: str = "True"


@dataclass(frozen=True, slots=True)
class QuantityBreak:
    """From ``min_quantity`` pieces on, the unit price drops by ``percent_off``."""

    min_quantity: int
    percent_off: int


@dataclass(frozen=True, slots=True)
class LeadTimeRule:
    """Adds ``days`` (a formula) to the lead time whenever ``when`` holds."""

    id: str
    label: str
    days: str
    when: str = "True"


@dataclass(frozen=True, slots=True)
class OperationTemplate:
    """A production step on a machine with ``capability``; ``minutes`` is a formula.

    A step follows the one listed before it unless ``after`` names the earlier steps it waits
    for (``()``: none, so it can start at once, beside others): a routing is then a graph whose
    branches run in parallel. A step whose ``when`` is false is left out, and the steps after it
    wait for what it waited for. ``artifact`` names the file the platform generates from the
    configuration for the machine (see ``ARTIFACTS``).
    """

    id: str
    name: str
    capability: str
    minutes: str
    when: str = "True"
    artifact: str | None = None
    after: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class BomItem:
    """A material or component each order of the product uses: ``quantity`` is a formula of the
    options and ``quantity`` (sheet steel in m² from the width and height), in the material's
    ``unit``; it is taken from stock when step ``step`` starts (None: the first step), and left
    out when ``when`` is false. ``material`` is the key the factory stocks it under."""

    id: str
    material: str
    name: str
    quantity: str
    unit: str
    step: str | None = None
    when: str = "True"


#: Files the platform can generate for an operation, by the name a template gives them.
ArtifactKind = Literal["mounting-plate-stl"]


@dataclass(frozen=True, slots=True)
class Dimension:
    """What the inspection step measures on every piece: ``nominal`` and ``tolerance`` are
    formulas of the configuration (a shirt's sleeve length, a plate's hole pitch), in ``unit``;
    a dimension whose ``when`` is false is not checked."""

    id: str
    label: str
    nominal: str
    tolerance: str
    unit: str = ""
    when: str = "True"


@dataclass(frozen=True, slots=True)
class DeclaredMaterial:
    """What the product is made of, as its maker declares it: the share of its mass, how much
    of that is recycled, where it comes from (ISO 3166 country code); listed when ``when``
    holds (an aluminium plate is not made of steel)."""

    name: str
    mass_fraction: float
    recycled_fraction: float = 0.0
    origin_country: str | None = None
    when: str = "True"


@dataclass(frozen=True, slots=True)
class Picture:
    """How the configurator page draws the product: one of its drawings (``kind``), what the
    drawing shows (``noun``, for screen readers), and the option each input of the drawing reads
    (e.g. a cabinet's ``volume`` read from ``capacity``)."""

    kind: str
    noun: str
    options: tuple[tuple[str, str], ...]  # (input, option) pairs: templates are hashable


@dataclass(frozen=True, slots=True)
class Template:
    """A product users design within what the factory can make; orders keep ``version``."""

    key: str
    name: str
    version: int
    options: tuple[Option, ...]
    rules: tuple[Rule, ...] = ()
    prices: tuple[PriceRule, ...] = ()
    quantity_breaks: tuple[QuantityBreak, ...] = ()
    lead_times: tuple[LeadTimeRule, ...] = ()
    routing: tuple[OperationTemplate, ...] = ()
    bom: tuple[BomItem, ...] = ()
    inspection: tuple[Dimension, ...] = ()
    materials: tuple[DeclaredMaterial, ...] = ()
    currency: str = "EUR"
    description: str = ""
    picture: Picture | None = None
