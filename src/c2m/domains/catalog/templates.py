"""Product templates: created and versioned by micro-enterprise members, configured by anyone.

Every version is stored as JSON and never changed, so a compiled version can be cached for the
life of the process and an order can always go back to the version it was configured with.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog import bills
from c2m.domains.catalog.models import Product, ProductTemplate, TemplateVersion
from c2m.domains.catalog.schemas import (
    ConfigureIn,
    ConfigureOut,
    NewTemplate,
    TemplateDefinition,
    TemplateOut,
)
from c2m.domains.platform.actor import Actor
from c2m.engines import configurator as cfg
from c2m.kernel.errors import Conflict, InvalidInput, NotFound, describe_validation, field_errors
from c2m.kernel.problem_types import ProblemCode

log = logging.getLogger(__name__)
CACHE_SIZE = 128  # compiled versions kept per process (each ~0.2 s to compile)


class _CompiledCache:
    """Compiled template versions by (template id, version), least recently used dropped."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, int], cfg.CompiledTemplate] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, row: TemplateVersion) -> cfg.CompiledTemplate:
        key = (row.template_id, row.version)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        template = TemplateDefinition.model_validate(row.definition).to_template(row.version)
        compiled = cfg.compile_template(template)
        with self._lock:
            self._items[key] = compiled
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return compiled


compiled_versions = _CompiledCache(CACHE_SIZE)


@dataclass(frozen=True)
class Loaded:
    """A template row, one of its versions, and that version compiled."""

    template: ProductTemplate
    row: TemplateVersion

    @property
    def compiled(self) -> cfg.CompiledTemplate:
        return compiled_versions.get(self.row)

    def out(self) -> TemplateOut:
        t = self.template
        return TemplateOut(
            id=t.id,
            enterprise_id=t.enterprise_id,
            product_id=t.product_id,
            key=t.key,
            name=t.name,
            published=t.published,
            version=self.row.version,
            latest_version=t.latest_version,
            definition=TemplateDefinition.model_validate(self.row.definition),
        )


def _compiled(definition: TemplateDefinition, version: int) -> cfg.CompiledTemplate:
    """The compiled template, or a 422 naming every rule, price or step that is wrong."""
    try:
        return cfg.compile_template(definition.to_template(version))
    except cfg.TemplateError as exc:
        problems = exc.problems
    listed = "; ".join(f"{p.where}: {p.message}" for p in problems[:10])
    raise InvalidInput(
        f"The template cannot be used ({len(problems)} problem(s)): {listed}",
        errors=[{"loc": ["definition", p.where], "msg": p.message} for p in problems],
    )


def _can_see(actor: Actor | None, template: ProductTemplate) -> bool:
    return template.published or (actor is not None and actor.is_member_of(template.enterprise_id))


def _unknown() -> NotFound:
    return NotFound("There is no such product template, or it is not published.")


def create_template(
    session: Session, actor: Actor, enterprise_id: str, data: NewTemplate
) -> Loaded:
    """A new template (version 1) and the product that orders of it are lines of."""
    actor.require_member_of(enterprise_id)
    slug = data.definition.key
    if session.scalar(select(Product.id).where(Product.slug == slug)) is not None:
        raise Conflict(
            f"A product with the short name {slug!r} already exists.",
            code=ProblemCode.ALREADY_EXISTS,
        )
    product = Product(enterprise_id=enterprise_id, slug=slug, name=slug, unit_price=0)
    session.add(product)
    session.flush()
    template = ProductTemplate(
        enterprise_id=enterprise_id, product_id=product.id, key=slug, name=slug, latest_version=0
    )
    session.add(template)
    return _store_version(session, actor, template, product, data)


def new_version(session: Session, actor: Actor, template_id: str, data: NewTemplate) -> Loaded:
    """Store an edit as the next version; earlier versions (and their orders) stay as they were."""
    template = session.get(ProductTemplate, template_id, with_for_update=True)
    if template is None or not actor.is_member_of(template.enterprise_id):
        raise _unknown()
    if data.definition.key != template.key:
        raise InvalidInput(f"The key of a template cannot change (it is {template.key!r}).")
    product = session.get(Product, template.product_id)
    assert product is not None
    return _store_version(session, actor, template, product, data)


def _store_version(
    session: Session,
    actor: Actor,
    template: ProductTemplate,
    product: Product,
    data: NewTemplate,
) -> Loaded:
    """Check and store the next version; the template and its product follow it."""
    definition = data.definition
    version = template.latest_version + 1
    compiled = _compiled(definition, version)
    template.latest_version = version
    template.name = product.name = definition.name
    template.published = product.active = data.published
    product.description = definition.description
    product.currency = definition.currency
    product.unit_price = priced(compiled, {}, 1).price.discounted_unit_price  # "from" price
    session.flush()
    row = TemplateVersion(
        template_id=template.id,
        version=version,
        definition=definition.model_dump(mode="json"),
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    return Loaded(template, row)


def load(
    session: Session, actor: Actor | None, template_id: str, version: int | None = None
) -> Loaded:
    """A template version ``actor`` may see (the latest by default); others get 404."""
    template = session.get(ProductTemplate, template_id)
    if template is None or not _can_see(actor, template):
        raise _unknown()
    wanted = template.latest_version if version is None else version
    row = session.scalar(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template.id, TemplateVersion.version == wanted
        )
    )
    if row is None:
        raise NotFound(f"{template.name} has no version {wanted}.")
    return Loaded(template, row)


def for_product(session: Session, product_id: str) -> ProductTemplate | None:
    """The published template a product is designed with, if any."""
    return session.scalar(
        select(ProductTemplate).where(
            ProductTemplate.product_id == product_id, ProductTemplate.published.is_(True)
        )
    )


def list_templates(
    session: Session, actor: Actor | None, enterprise_id: str
) -> list[ProductTemplate]:
    """An enterprise's templates: all of them for its members, the published ones for others."""
    query = select(ProductTemplate).where(ProductTemplate.enterprise_id == enterprise_id)
    if actor is None or not actor.is_member_of(enterprise_id):
        query = query.where(ProductTemplate.published.is_(True))
    return list(session.scalars(query.order_by(ProductTemplate.name)))


def list_versions(session: Session, actor: Actor | None, template_id: str) -> list[TemplateVersion]:
    template = load(session, actor, template_id).template
    query = select(TemplateVersion).where(TemplateVersion.template_id == template.id)
    return list(session.scalars(query.order_by(TemplateVersion.version)))


def refused(error: cfg.ConfigurationError) -> InvalidInput:
    """A configuration the engine refuses, as a 422 naming the rules it breaks."""
    return InvalidInput(
        error.args[0],
        errors=[
            {"loc": list(v.options), "type": v.rule_id, "msg": v.message} for v in error.violations
        ],
    )


@dataclass(frozen=True)
class Priced:
    """A valid configuration with everything an order line keeps of it."""

    configuration: dict[str, cfg.Value]
    price: cfg.Price
    lead_time: cfg.LeadTime
    routing: cfg.Routing
    bill: tuple[cfg.Requirement, ...] = ()

    def pricing_json(self) -> dict[str, Any]:
        return {"price": asdict(self.price), "lead_time": asdict(self.lead_time)}

    def routing_json(self) -> list[dict[str, Any]]:
        return [asdict(operation) for operation in self.routing.operations]

    def bill_json(self) -> list[dict[str, Any]]:
        return bills.bill_json(self.bill)


@dataclass(frozen=True, slots=True)
class PlanDays:
    """Days the live plan needs for an order: ``capacity`` on the machines alone, ``total``
    with its materials too, the rest waiting for ``material`` (its name)."""

    total: int
    capacity: int
    material: str | None = None


#: What the live plan needs for a routing and its bill of materials, from the domain that reads
#: the plan; None when no connected machine of the maker's factory can take a step.
Promiser = Callable[[cfg.Routing, tuple[cfg.Requirement, ...]], PlanDays | None]
#: A micro-enterprise's ``Promiser``, reading the plan in the session given.
PromiseSource = Callable[[Session, str], Promiser]
PLAN_LINE = "plan"
MATERIAL_LINE = "material"


def priced(
    compiled: cfg.CompiledTemplate,
    choices: cfg.Configuration,
    quantity: int,
    promiser: Promiser | None = None,
) -> Priced:
    """Complete ``choices`` and work out price, lead time and routing; 422 if impossible. With
    ``promiser`` the lead time is never shorter than the live plan needs (capable to promise):
    the days beyond the template's rules are lines of their own, "Factory load" and "Waiting
    for" the material that is short."""
    try:
        configuration = cfg.complete(compiled, choices)
        routing = cfg.routing(compiled, configuration, quantity)
        lead = cfg.lead_time(compiled, configuration, quantity)
        bill = cfg.bill_of_materials(compiled, configuration, quantity)
        if promiser is not None:
            planned = promiser(routing, bill)
            lead = lead if planned is None else _with_plan(lead, planned)
        price = cfg.price(compiled, configuration, quantity)
        return Priced(configuration, price, lead, routing, bill)
    except cfg.ConfigurationError as exc:
        raise refused(exc) from exc
    except cfg.FormulaError as exc:
        raise InvalidInput(f"This configuration cannot be priced: {exc}") from exc


def _with_plan(lead: cfg.LeadTime, planned: PlanDays) -> cfg.LeadTime:
    days, lines = lead.days, list(lead.lines)
    if planned.capacity > days:
        lines.append(cfg.Line(PLAN_LINE, "Factory load", planned.capacity - days))
        days = planned.capacity
    if planned.total > days and planned.material is not None:
        lines.append(
            cfg.Line(MATERIAL_LINE, f"Waiting for {planned.material}", planned.total - days)
        )
        days = planned.total
    return cfg.LeadTime(days, tuple(lines))


def parse_definition(data: Any) -> TemplateDefinition:
    """A definition from JSON data; else a 422 whose ``errors`` say in words what is wrong
    with each field, so the workshop's form can show it beside the field."""
    try:
        return TemplateDefinition.model_validate(data)
    except ValidationError as exc:
        errors = list(exc.errors())
        raise InvalidInput(
            describe_validation(errors, "The template is not valid"), errors=field_errors(errors)
        ) from exc


def preview(definition: TemplateDefinition, data: ConfigureIn) -> ConfigureOut:
    """The configurator of a template not saved yet: what its owner sees while editing it."""
    return _configure(_compiled(definition, 1), "", 1, data)


def configure(loaded: Loaded, data: ConfigureIn, promiser: Promiser | None = None) -> ConfigureOut:
    """What the configurator page shows after a choice: possibilities, completion, price.

    Clashing choices (only reachable by typing a number or text) are repaired to the nearest
    valid ones keeping ``data.keep``; without ``keep`` the clash is reported as it is.
    """
    return _configure(loaded.compiled, loaded.template.id, loaded.row.version, data, promiser)


def _configure(
    compiled: cfg.CompiledTemplate,
    template_id: str,
    version: int,
    data: ConfigureIn,
    promiser: Promiser | None = None,
) -> ConfigureOut:
    choices: dict[str, cfg.Value] = dict(data.choices)
    try:
        state = cfg.possibilities(compiled, choices)
        conflict = state.conflict
        changed: tuple[str, ...] = ()
        if not state.consistent and data.keep:
            fixed = cfg.repair(compiled, choices, keep=data.keep)
            changed = tuple(name for name in fixed.changed if name in choices)
            choices = {k: v for k, v in choices.items() if k not in changed}
            state = cfg.possibilities(compiled, choices)
    except cfg.ConfigurationError as exc:
        raise refused(exc) from exc
    result = priced(compiled, choices, data.quantity, promiser) if state.consistent else None
    forced: tuple[cfg.Forced, ...] = ()
    if result is not None and data.previous is not None:
        before = data.previous
        touched = {*data.keep, *(n for n, v in data.choices.items() if before.get(n) != v)}
        forced = cfg.forced_changes(compiled, before, result.configuration, touched)
    messages = {rule.id: rule.message for rule in compiled.template.rules}
    return ConfigureOut.model_validate(
        {
            "template_id": template_id,
            "version": version,
            "quantity": data.quantity,
            "choices": choices,
            "changed": list(changed),
            "consistent": state.consistent,
            "conflict": list(conflict),
            "conflict_reasons": [messages[rule_id] for rule_id in conflict],
            "forced": [asdict(change) for change in forced],
            "price_change": _price_change(compiled, data, result),
            "options": [
                {
                    "option": s.option,
                    "chosen": s.chosen,
                    "allowed": [asdict(span) for span in s.allowed],
                    "excluded": [asdict(e) for e in s.excluded],
                }
                for s in state.options
            ],
            "configuration": result.configuration if result else None,
            "price": asdict(result.price) if result else None,
            "lead_time": asdict(result.lead_time) if result else None,
            "routing": result.routing_json() if result else None,
        }
    )


def _price_change(
    compiled: cfg.CompiledTemplate, data: ConfigureIn, result: Priced | None
) -> int | None:
    """The new total less that of the configuration shown before, when both can be priced."""
    if result is None or data.previous is None:
        return None
    try:
        return result.price.total - cfg.price(compiled, data.previous, data.quantity).total
    except (cfg.ConfigurationError, cfg.FormulaError):
        return None
