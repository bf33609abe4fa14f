"""Job documents: what a machine is to make, in words and values, and the file to make it from.

A machine knows nothing of orders, quotes or templates, so each command says it all: the
product, its configuration with the template's labels and units, material, colour, quantity,
the operation, and for the step that shapes the part a signed, expiring link to its file (the
customer's upload for a quoted part, a file generated from the configuration where the
template's routing names one). The file is recorded once per operation with its hash, so every
attempt gets the same bytes; generating it is CPU work, done by the worker that dispatches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog.declared import declared
from c2m.domains.catalog.models import TemplateVersion
from c2m.domains.factory.contract import (
    Artifact,
    InspectedDimension,
    JobDocument,
    MaterialUsed,
    OperationParameters,
    Setting,
)
from c2m.domains.factory.credentials import FileLinks
from c2m.domains.factory.models import ArtifactStore, JobArtifact
from c2m.domains.materials.reservations import step_materials
from c2m.domains.orders.models import OrderLine
from c2m.domains.planning.models import Operation, WorkOrder
from c2m.kernel.files import FileStore

#: The routing hint of a quoted part's shaping step: its file is the customer's upload.
UPLOADED = "upload"
MATERIAL_OPTIONS = ("material", "fabric", "panel")
COLOUR_OPTIONS = ("colour", "color")
HIDDEN = frozenset({"quote_id", "upload_id", "tier", "ship_date"})  # ids and commerce
MEDIA_TYPES = {".stl": "model/stl", ".3mf": "model/3mf", ".obj": "model/obj"}
STL = "model/stl"
INSPECT = "inspect"
"""The capability of inspection steps: their job documents list the dimensions to measure."""


def _plate(values: Mapping[str, Any]) -> bytes:
    # Imported here: the web tier reads this module (quoting) and must not load trimesh.
    from c2m.engines.geometry.plate import mounting_plate, stl_bytes

    return stl_bytes(
        mounting_plate(
            float(values["length"]),
            float(values["width"]),
            float(values["thickness"]),
            int(values["hole_count"]),
            float(values["hole_diameter"]),
        )
    )


#: Generated files, by the ``artifact`` name a template's operation gives: (maker, file name).
GENERATORS: dict[str, tuple[Callable[[Mapping[str, Any]], bytes], str]] = {
    "mounting-plate-stl": (_plate, "mounting-plate.stl"),
}


@dataclass(frozen=True)
class JobWriter:
    """Writes the job document of an operation; ``uploads`` is the customer upload store,
    ``artifacts`` where generated files are kept."""

    links: FileLinks
    uploads: FileStore
    artifacts: FileStore

    def write(
        self, session: Session, operation: Operation, nominal_s: float, expires_ms: int
    ) -> JobDocument:
        work = session.get(WorkOrder, operation.work_order_id)
        assert work is not None
        line = session.get(OrderLine, work.line_id)
        assert line is not None
        values = dict(line.configuration or {})
        artifact = self._artifact(session, operation, line, values)
        return JobDocument(
            product=line.product_name,
            configuration=_settings(session, line, values),
            material=_first(values, MATERIAL_OPTIONS),
            colour=_first(values, COLOUR_OPTIONS),
            quantity=work.quantity,
            operation=OperationParameters(
                step=operation.step,
                name=operation.name,
                capability=operation.capability,
                nominal_s=nominal_s,
            ),
            artifact=None
            if artifact is None
            else Artifact(
                url=self.links.link(operation.id, expires_ms),
                sha256=artifact.sha256,
                size=artifact.size,
                media_type=artifact.media_type,
                filename=artifact.filename,
                expires=expires_ms,
            ),
            inspection=_inspection(session, line, operation),
            materials=[
                MaterialUsed(
                    material=t.material, quantity=float(t.quantity), unit=t.unit, name=t.name
                )
                for t in step_materials(session, operation.work_order_id, operation.step)
            ],
        )

    def _artifact(
        self, session: Session, operation: Operation, line: OrderLine, values: dict[str, Any]
    ) -> JobArtifact | None:
        known = session.get(JobArtifact, operation.id)
        if known is not None:
            return known
        hint = _hint(line, operation.step)
        if hint == UPLOADED and values.get("upload_id"):
            name = str(values["upload_id"])
            filename = str(values.get("file") or "part")
            row = _record(operation, ArtifactStore.UPLOADS, name, filename, self.uploads.part(name))
        elif hint in GENERATORS:
            make, filename = GENERATORS[hint]
            name = self.artifacts.new_name()
            path = self.artifacts.open_new(name)
            path.write_bytes(make(values))
            row = _record(operation, ArtifactStore.ARTIFACTS, name, filename, path)
        else:
            return None
        session.add(row)
        session.flush()
        return row


def _inspection(
    session: Session, line: OrderLine, operation: Operation
) -> list[InspectedDimension]:
    if operation.capability != INSPECT:
        return []
    facts = declared(session, line.template_id, line.template_version, line.configuration)
    return [InspectedDimension(**asdict(d)) for d in facts.dimensions]


def _record(
    operation: Operation, store: ArtifactStore, name: str, filename: str, path: Path
) -> JobArtifact:
    data = path.read_bytes()
    return JobArtifact(
        operation_id=operation.id,
        store=store,
        name=name,
        filename=filename,
        media_type=MEDIA_TYPES.get(Path(filename).suffix.lower(), "application/octet-stream"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _hint(line: OrderLine, step: str) -> str | None:
    """The routing's ``artifact`` for the step, as stored on the order line."""
    for routed in line.routing or ():
        if routed.get("id") == step:
            hint = routed.get("artifact")
            return None if hint is None else str(hint)
    return None


def _first(values: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    return next((str(values[name]) for name in names if values.get(name) not in (None, "")), None)


def _settings(session: Session, line: OrderLine, values: Mapping[str, Any]) -> list[Setting]:
    """The configuration in the template's words (its labels and units), ids left out."""
    options = _options(session, line)
    out = []
    for name, value in values.items():
        if name in HIDDEN or not isinstance(value, str | int | float | bool):
            continue
        option = options.get(name, {})
        unit = option.get("unit") or None
        label = option.get("label") or name.replace("_", " ").capitalize()
        text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        out.append(
            Setting(
                option=name,
                label=label,
                value=value,
                text=f"{text} {unit}" if unit else text,
                unit=unit,
            )
        )
    return out


def _options(session: Session, line: OrderLine) -> dict[str, dict[str, Any]]:
    if line.template_id is None:
        return {}
    definition = session.scalar(
        select(TemplateVersion.definition).where(
            TemplateVersion.template_id == line.template_id,
            TemplateVersion.version == line.template_version,
        )
    )
    return {option["name"]: option for option in (definition or {}).get("options", ())}
