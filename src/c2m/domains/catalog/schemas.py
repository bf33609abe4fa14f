"""Catalog input and output: products, templates (as JSON of the engine's dataclasses), designs."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from c2m.engines.configurator import (
    BomItem,
    BooleanOption,
    ChoiceOption,
    Colour,
    ColourOption,
    DeclaredMaterial,
    Dimension,
    LeadTimeRule,
    NumberOption,
    OperationTemplate,
    Option,
    Picture,
    PriceRule,
    QuantityBreak,
    Rule,
    Template,
    TextOption,
)
from c2m.engines.configurator.model import ArtifactKind
from c2m.kernel.limits import MAX_OPTIONS, MAX_QUANTITY
from c2m.kernel.schemas import NOT_BOOL, VISIBLE, OptionName, OptionValue, Strict


class NewProduct(Strict):
    slug: str = Field(min_length=2, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=120, pattern=VISIBLE)
    description: str = Field("", max_length=5000)
    unit_price: Annotated[int, NOT_BOOL] = Field(
        ge=0, le=100_000_000, description="Price in cents."
    )
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    enterprise_id: str
    slug: str
    name: str
    description: str
    unit_price: int
    currency: str
    active: bool


# Templates: the engine's dataclasses as JSON. Options carry a ``kind`` tag; everything else
# mirrors the dataclass fields one to one, so the stored JSON reads like the Python it becomes.

Name = Annotated[str, StringConstraints(min_length=1, max_length=60)]
NO_NUL = r"^[^\x00]*$"
MAX_VERSION = (
    2**31 - 1
)  # version columns are 32-bit on PostgreSQL  # PostgreSQL text columns cannot hold NUL
Formula = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Sentence = Annotated[str, StringConstraints(max_length=300)]
Number = Annotated[int, Field(ge=-(10**9), le=10**9)] | Annotated[float, Field(allow_inf_nan=False)]


class Exact(BaseModel):
    """Template parts: unknown fields are refused, text is kept exactly (spaces may matter)."""

    model_config = ConfigDict(extra="forbid")


class NumberOptionIn(Exact):
    kind: Literal["number"]
    name: Name
    minimum: Number
    maximum: Number
    step: Number = 1
    unit: str = Field("", max_length=20)
    default: Number | None = None
    label: Sentence = ""


class ChoiceOptionIn(Exact):
    kind: Literal["choice"]
    name: Name
    choices: list[Name] = Field(min_length=1, max_length=50)
    default: str | None = None
    label: Sentence = ""


class BooleanOptionIn(Exact):
    kind: Literal["boolean"]
    name: Name
    default: bool = False
    label: Sentence = ""


class ColourIn(Exact):
    name: Name
    hex: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class ColourOptionIn(Exact):
    kind: Literal["colour"]
    name: Name
    colours: list[ColourIn] = Field(min_length=1, max_length=50)
    default: str | None = None
    label: Sentence = ""


class TextOptionIn(Exact):
    kind: Literal["text"]
    name: Name
    max_length: int = Field(ge=1, le=200)
    allowed: str = Field(min_length=1, max_length=500)
    default: str = Field("", max_length=200)
    label: Sentence = ""


OptionIn = Annotated[
    NumberOptionIn | ChoiceOptionIn | BooleanOptionIn | ColourOptionIn | TextOptionIn,
    Field(discriminator="kind"),
]
_OPTION_KINDS: dict[type[Option], str] = {
    NumberOption: "number",
    ChoiceOption: "choice",
    BooleanOption: "boolean",
    ColourOption: "colour",
    TextOption: "text",
}


class RuleIn(Exact):
    id: Name
    condition: Formula
    message: Sentence
    when: Formula = "True"
    kind: Literal["constraint", "requires", "excludes"] = "constraint"


class PriceRuleIn(Exact):
    id: Name
    label: Sentence
    amount: Formula
    when: Formula = "True"


class QuantityBreakIn(Exact):
    min_quantity: int = Field(ge=1, le=1_000_000)
    percent_off: int = Field(ge=0, le=100)


class LeadTimeRuleIn(Exact):
    id: Name
    label: Sentence
    days: Formula
    when: Formula = "True"


class OperationIn(Exact):
    id: Name
    name: Sentence
    capability: Name
    minutes: Formula
    when: Formula = "True"
    artifact: ArtifactKind | None = Field(
        None, description="A file generated from the configuration for the machine"
    )
    after: list[Name] | None = Field(
        None,
        max_length=100,
        description="The earlier steps this one waits for; leave out to follow the step "
        "listed before it, [] to start at once beside the others",
    )


MaterialKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{0,59}$")]


class BomItemIn(Exact):
    """A material or component each order takes from stock, by a formula of the options."""

    id: Name
    material: MaterialKey = Field(description="The key the factory stocks it under")
    name: Sentence
    quantity: Formula = Field(description="How much, in `unit`, a formula of the options")
    unit: str = Field(min_length=1, max_length=20, pattern=VISIBLE)
    step: Name | None = Field(None, description="The step that takes it (default: the first)")
    when: Formula = "True"


class DimensionIn(Exact):
    """A dimension the inspection step measures on every piece."""

    id: Name
    label: Sentence
    nominal: Formula = Field(description="The value to reach, a formula of the options")
    tolerance: Formula = Field(description="How far a piece may be off either way, a formula")
    unit: str = Field("", max_length=20, pattern=NO_NUL)
    when: Formula = "True"


class MaterialIn(Exact):
    """A material the product is made of, as its maker declares it."""

    name: Sentence
    mass_fraction: float = Field(gt=0, le=1, description="Its share of the product's mass")
    recycled_fraction: float = Field(0.0, ge=0, le=1, description="How much of it is recycled")
    origin_country: str | None = Field(
        None, pattern=r"^[A-Z]{2}$", description="Where it comes from (ISO 3166-1 alpha-2)"
    )
    when: Formula = "True"


class PictureIn(Exact):
    """How the configurator page draws the product (leave out for no picture)."""

    kind: Literal["cabinet", "plate", "garment"] = Field(description="The drawing")
    noun: str = Field(
        min_length=1, max_length=60, pattern=VISIBLE, description="What it shows, in words"
    )
    options: dict[Name, Name] = Field(
        max_length=20, description="The option each input of the drawing reads"
    )

    def to_picture(self) -> Picture:
        return Picture(self.kind, self.noun, tuple(self.options.items()))


class TemplateDefinition(Exact):
    """A template as JSON; the version is not part of it (the platform numbers versions)."""

    key: str = Field(min_length=2, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=120, pattern=NO_NUL)
    description: str = Field("", max_length=2000, pattern=NO_NUL)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    options: list[OptionIn] = Field(min_length=1, max_length=60)
    rules: list[RuleIn] = Field(default_factory=list, max_length=200)
    prices: list[PriceRuleIn] = Field(default_factory=list, max_length=200)
    quantity_breaks: list[QuantityBreakIn] = Field(default_factory=list, max_length=20)
    lead_times: list[LeadTimeRuleIn] = Field(default_factory=list, max_length=100)
    routing: list[OperationIn] = Field(default_factory=list, max_length=100)
    bom: list[BomItemIn] = Field(default_factory=list, max_length=100)
    inspection: list[DimensionIn] = Field(default_factory=list, max_length=50)
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    picture: PictureIn | None = None

    def to_template(self, version: int) -> Template:
        """The engine's dataclasses for this definition, numbered ``version``."""
        return Template(
            key=self.key,
            name=self.name,
            version=version,
            description=self.description,
            currency=self.currency,
            options=tuple(_option(o) for o in self.options),
            rules=tuple(Rule(**r.model_dump()) for r in self.rules),
            prices=tuple(PriceRule(**p.model_dump()) for p in self.prices),
            quantity_breaks=tuple(QuantityBreak(**b.model_dump()) for b in self.quantity_breaks),
            lead_times=tuple(LeadTimeRule(**t.model_dump()) for t in self.lead_times),
            routing=tuple(_step(s) for s in self.routing),
            bom=tuple(BomItem(**b.model_dump()) for b in self.bom),
            inspection=tuple(Dimension(**d.model_dump()) for d in self.inspection),
            materials=tuple(DeclaredMaterial(**m.model_dump()) for m in self.materials),
            picture=self.picture.to_picture() if self.picture else None,
        )

    @classmethod
    def of(cls, template: Template) -> TemplateDefinition:
        """The JSON form of an engine template (its version is dropped)."""
        data = asdict(template)
        data.pop("version")
        data["options"] = [
            {"kind": _OPTION_KINDS[type(option)], **asdict(option)} for option in template.options
        ]
        if template.picture is not None:
            data["picture"]["options"] = dict(template.picture.options)
        return cls.model_validate(data)


def _step(step: OperationIn) -> OperationTemplate:
    after = None if step.after is None else tuple(step.after)
    return OperationTemplate(**{**step.model_dump(), "after": after})


def _option(option: OptionIn) -> Option:
    fields = option.model_dump(exclude={"kind"})
    if isinstance(option, NumberOptionIn):
        return NumberOption(**fields)
    if isinstance(option, ChoiceOptionIn):
        return ChoiceOption(**{**fields, "choices": tuple(option.choices)})
    if isinstance(option, BooleanOptionIn):
        return BooleanOption(**fields)
    if isinstance(option, ColourOptionIn):
        colours = tuple(Colour(c.name, c.hex) for c in option.colours)
        return ColourOption(**{**fields, "colours": colours})
    return TextOption(**fields)


class NewTemplate(Strict):
    definition: TemplateDefinition
    published: bool = Field(False, description="Published templates anyone may configure.")


class TemplateOut(BaseModel):
    """A template at one version (the latest unless asked otherwise)."""

    id: str
    enterprise_id: str
    product_id: str
    key: str
    name: str
    published: bool
    version: int
    latest_version: int
    definition: TemplateDefinition


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    created_at: datetime


# Configuring and designs.

Choices = dict[OptionName, OptionValue]


class ConfigureIn(Strict):
    choices: Choices = Field(default_factory=dict, description="The options chosen so far.")
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)
    version: int | None = Field(
        None, ge=1, le=MAX_VERSION, description="A template version; the latest if left out."
    )
    keep: list[OptionName] = Field(
        default_factory=list,
        max_length=MAX_OPTIONS,
        description="Options never to change when the choices clash (the one just set); "
        "the others are repaired to the nearest valid configuration.",
    )
    previous: Choices | None = Field(
        None,
        description="The configuration shown before this choice; `forced` then says which "
        "other options the choice changed in it, and why.",
    )


class PreviewIn(Strict):
    """A template being edited, checked like a saved one, and the choices to preview it with."""

    definition: dict[str, Any] = Field(description="The template's JSON, as it would be saved.")
    choices: Choices = Field(default_factory=dict, description="The options chosen so far.")
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)


class SpanOut(BaseModel):
    first: OptionValue
    last: OptionValue


class ExclusionOut(SpanOut):
    rule_ids: list[str]
    reason: str


class OptionStateOut(BaseModel):
    option: str
    chosen: OptionValue | None
    allowed: list[SpanOut]
    excluded: list[ExclusionOut]


class ForcedOut(BaseModel):
    """An option the user did not touch that a choice changed, with the rules that forced it."""

    option: str
    label: str
    before: OptionValue
    after: OptionValue
    reasons: list[str] = Field(description="The rules' sentences; empty when none alone did.")


class LineOut(BaseModel):
    id: str
    label: str
    amount: int


class PriceOut(BaseModel):
    currency: str
    lines: list[LineOut]
    unit_price: int
    percent_off: int
    discounted_unit_price: int
    quantity: int
    total: int


class LeadTimeOut(BaseModel):
    days: int
    lines: list[LineOut]


class OperationOut(BaseModel):
    id: str
    name: str
    capability: str
    minutes: int
    predecessors: list[str]
    artifact: str | None = None


class ConfigureOut(BaseModel):
    """What is still possible, and for a consistent choice its completion, price and routing."""

    template_id: str
    version: int
    quantity: int
    choices: Choices = Field(description="The choices used: those sent, minus any repaired.")
    changed: list[str] = Field(description="Options dropped from the choices to resolve a clash.")
    consistent: bool
    conflict: list[str] = Field(description="Ids of the rules the choices sent broke together.")
    conflict_reasons: list[str] = Field(description="The same rules, in words.")
    forced: list[ForcedOut] = Field(
        description="Options of `previous` that the choice changed, though nobody chose them."
    )
    price_change: int | None = Field(
        description="How much the choice changed the total of `previous` (minor units, "
        "negative when cheaper); null without a valid `previous`."
    )
    options: list[OptionStateOut]
    configuration: Choices | None
    price: PriceOut | None
    lead_time: LeadTimeOut | None
    routing: list[OperationOut] | None


class NewDesign(Strict):
    template_id: str = Field(min_length=1, max_length=32)
    version: int | None = Field(None, ge=1, le=MAX_VERSION, description="The latest if left out.")
    name: str = Field(min_length=1, max_length=120, pattern=NO_NUL)
    configuration: Choices = Field(description="Choices; open options are completed.")
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)


class DesignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    template_id: str
    version: int
    name: str
    configuration: dict[str, Any]
    quantity: int
    created_at: datetime
