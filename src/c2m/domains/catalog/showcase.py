"""How the catalog shows a product: whether it is designed (and where) and its picture.

A configurable product is drawn in its default configuration by the same drawing the
configurator and the order page use (static/drawings.js); the page draws a generic parcel
where there is no drawing, or before the script runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog.models import Product, ProductTemplate, TemplateVersion
from c2m.domains.catalog.templates import compiled_versions
from c2m.engines import configurator as cfg


@dataclass(frozen=True)
class Showcase:
    product: Product
    #: The published template the product is designed with; None: ordered as it is.
    template_id: str | None = None
    #: For static/drawings.js: the template's picture, its options and the values drawn.
    drawing: dict[str, Any] | None = None


def drawing_of(
    definition: Mapping[str, Any], configuration: Mapping[str, Any]
) -> dict[str, Any] | None:
    """What drawings.js needs to draw ``configuration`` of a template; None if it has no picture."""
    picture = definition.get("picture")
    if not picture:
        return None
    return {
        "picture": picture,
        "options": definition.get("options", []),
        "configuration": configuration,
    }


def showcases(session: Session, products: Sequence[Product]) -> list[Showcase]:
    """``products`` in the same order, each with its template and default drawing."""
    rows = session.execute(
        select(ProductTemplate, TemplateVersion)
        .join(TemplateVersion, TemplateVersion.template_id == ProductTemplate.id)
        .where(
            ProductTemplate.product_id.in_([p.id for p in products]),
            ProductTemplate.published.is_(True),
            TemplateVersion.version == ProductTemplate.latest_version,
        )
    )
    latest = {template.product_id: (template, row) for template, row in rows}
    shown = []
    for product in products:
        if product.id not in latest:
            shown.append(Showcase(product))
            continue
        template, row = latest[product.id]
        shown.append(Showcase(product, template.id, _default_drawing(row)))
    return shown


def _default_drawing(row: TemplateVersion) -> dict[str, Any] | None:
    if not row.definition.get("picture"):
        return None  # no need to compile a template that has nothing to draw
    try:
        configuration = cfg.complete(compiled_versions.get(row), {})
    except cfg.ConfigurationError:
        return None  # a template whose defaults clash still sells; it shows the parcel
    return drawing_of(row.definition, configuration)
