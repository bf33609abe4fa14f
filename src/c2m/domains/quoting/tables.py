"""A micro-enterprise's cost tables: stored as JSON, edited through the API, checked on the way
in so that a typo cannot produce negative prices or divide by zero."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from c2m.domains.platform.actor import Actor
from c2m.domains.quoting.models import QuotingService
from c2m.domains.quoting.quoters import quoting_service
from c2m.engines.costing.tables import Process, Tables, default_tables
from c2m.kernel.errors import InvalidInput, describe_validation

TABLES = TypeAdapter(Tables)


def tables_of(service: QuotingService) -> Tables:
    return default_tables() if service.tables is None else TABLES.validate_python(service.tables)


def tables_json(tables: Tables) -> dict[str, Any]:
    data: dict[str, Any] = TABLES.dump_python(tables, mode="json")
    return data


def read_tables(session: Session, actor: Actor, enterprise_id: str) -> Tables:
    actor.require_member_of(enterprise_id)
    return tables_of(quoting_service(session, enterprise_id))


def replace_tables(
    session: Session, actor: Actor, enterprise_id: str, data: dict[str, Any]
) -> Tables:
    """Owners of the micro-enterprise replace its tables; refused with the first problem."""
    actor.require_member_of(enterprise_id)
    actor.require_owner_of(enterprise_id)
    service = quoting_service(session, enterprise_id)
    try:
        tables = TABLES.validate_python(data)
    except ValidationError as exc:
        raise InvalidInput(describe_validation(exc.errors())) from exc
    # The engine finds a material by its lower-case name, whatever key the editor used.
    materials = {material.name.lower(): material for material in tables.materials.values()}
    tables = dataclasses.replace(tables, materials=materials)
    problem = first_problem(tables)
    if problem:
        raise InvalidInput(problem)
    service.tables = tables_json(tables)
    return tables


def first_problem(tables: Tables) -> str | None:
    if not 0 <= tables.margin <= 10 or tables.minimum_line < 0:
        return "The margin must be between 0 and 10 (1000 %) and the minimum line at least 0."
    for process, spec in tables.processes.items():
        if spec.process is not process:
            return f"The {process.value} entry describes {spec.process.value}."
        if min(spec.envelope) <= 0 or not 0 < spec.learning <= 1:
            return f"{process.value}: the envelope must be positive and learning in (0, 1]."
        rates = (spec.machine_rate, spec.setup_fee, spec.finishing_per_cm2, spec.handling_hours)
        if min(rates) < 0 or spec.min_wall < 0 or spec.min_feature < 0:
            return f"{process.value}: rates, fees, hours and minimums cannot be negative."
        needed = _divisors(process, spec.deposition_rate, spec.layer_height, spec.finish_rate)
        if needed:
            return f"{process.value}: {needed} must be positive."
    for material in tables.materials.values():
        if material.density <= 0 or material.price_per_kg < 0:
            return f"{material.name}: the density must be positive and the price at least 0."
        if material.process is Process.CNC and material.removal_rate <= 0:
            return f"{material.name}: a CNC material needs a positive removal rate."
    return None


def _divisors(process: Process, deposition: float, layer: float, finish: float) -> str | None:
    if process in (Process.FDM, Process.SLS) and deposition <= 0:
        return "deposition_rate"
    if process is Process.SLA and layer <= 0:
        return "layer_height"
    if process is Process.CNC and finish <= 0:
        return "finish_rate"
    return None
