"""What a configured product's template declares about each piece made of it: the dimensions its
inspection step checks (nominal values and tolerances computed from the configuration) and the
materials it is made of. Read by the factory's job documents and by the unit's passport."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog.models import TemplateVersion
from c2m.domains.catalog.templates import compiled_versions
from c2m.engines import configurator as cfg
from c2m.engines.quality import Tolerance

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Declared:
    dimensions: tuple[Tolerance, ...] = ()
    materials: tuple[cfg.DeclaredMaterial, ...] = ()


NOTHING = Declared()


def declared(
    session: Session,
    template_id: str | None,
    version: int | None,
    configuration: Mapping[str, Any] | None,
) -> Declared:
    """What the template version declares for ``configuration``; nothing for a product made
    without a template (a catalog item, a quoted part)."""
    if template_id is None:
        return NOTHING
    row = session.scalar(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template_id, TemplateVersion.version == (version or 1)
        )
    )
    if row is None:
        return NOTHING
    compiled = compiled_versions.get(row)
    # The line also keeps choices that are not options (the delivery tier, the ship date).
    values = {k: v for k, v in (configuration or {}).items() if k in compiled.index}
    try:
        return Declared(
            cfg.inspected_dimensions(compiled, values), cfg.declared_materials(compiled, values)
        )
    except cfg.ConfigurationError as exc:  # it was valid when ordered; its version is kept
        log.warning("template %s v%s refuses a line's configuration: %s", template_id, version, exc)
        return NOTHING
