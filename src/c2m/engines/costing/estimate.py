"""A quote for one part: cost per unit from the process model, quantity breaks, DFM findings,
and ship dates per tier. Blocking findings turn the quote into a manual review."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from c2m.engines.costing.dfm import Finding, Severity, check
from c2m.engines.costing.leadtime import Capacity, LeadTime, MachineTime, lead_times
from c2m.engines.costing.tables import Material, Process, ProcessSpec, Tables, default_tables
from c2m.engines.geometry.measures import Analysis

BREAKS = (1, 5, 10, 25, 50, 100, 250, 500, 1000)


class CostingError(ValueError):
    """A request the tables cannot answer (unknown material, wrong process, bad quantity)."""


@dataclass(frozen=True, slots=True)
class Cost:
    """Cost of one part before learning and margin (EUR), its machine hours, per-line setup,
    and the grams of material it takes (the part, its supports, a milled part's stock)."""

    material: float
    machine_hours: float
    machine: float
    finishing: float
    setup: float
    grams: float = 0.0


@dataclass(frozen=True, slots=True)
class PriceBreak:
    quantity: int
    unit_price: float
    total: float


@dataclass(frozen=True, slots=True)
class Quote:
    process: Process
    material: str
    quantity: int
    findings: tuple[Finding, ...]
    manual_review: bool
    cost: Cost | None
    unit_price: float | None
    total: float | None
    breaks: tuple[PriceBreak, ...]
    lead_times: tuple[LeadTime, ...]


def material_for(tables: Tables, process: Process, name: str) -> Material:
    material = tables.materials.get(name.lower())
    if material is None:
        known = ", ".join(m.name for m in tables.materials.values() if m.process is process)
        raise CostingError(f"Unknown material {name!r}; for {process.value}: {known}.")
    if material.process is not process:
        raise CostingError(
            f"{material.name} is a {material.process.value} material, not {process.value}."
        )
    return material


def part_cost(analysis: Analysis, spec: ProcessSpec, material: Material) -> Cost:
    """Per-part material, machine time and finishing; setup is per order line."""
    assert analysis.volume is not None
    volume = analysis.volume / 1000  # cm3
    area = analysis.surface_area / 100  # cm2
    x, y, z = analysis.size
    setup = spec.setup_fee
    if spec.process is Process.CNC:
        stock = math.prod(side + 2 * spec.stock_margin for side in analysis.size) / 1000
        used = stock
        hours = ((stock - volume) / material.removal_rate + area / spec.finish_rate) / 60
        setup += spec.setup_per_direction * len(analysis.setup_directions)
    else:
        support = analysis.support_volume / 1000 * spec.support_density if spec.supports else 0.0
        used = volume + support
        if spec.process is Process.SLA:
            share = min(1.0, max(0.1, x * y / (spec.envelope[0] * spec.envelope[1])))
            hours = z / spec.layer_height * spec.seconds_per_layer / 3600 * share
        else:
            hours = used / spec.deposition_rate
    grams = used * material.density
    return Cost(
        grams=grams,
        material=grams / 1000 * material.price_per_kg,
        machine_hours=hours,
        machine=hours * spec.machine_rate,
        finishing=area * spec.finishing_per_cm2,
        setup=setup,
    )


def learning_factor(spec: ProcessSpec, quantity: int) -> float:
    """Wright's law: average machine time per unit falls by ``learning`` per doubling."""
    return float(quantity ** math.log2(spec.learning))


def price(cost: Cost, spec: ProcessSpec, tables: Tables, quantity: int) -> PriceBreak:
    per_unit = cost.material + cost.finishing + cost.machine * learning_factor(spec, quantity)
    total = max((per_unit * quantity + cost.setup) * (1 + tables.margin), tables.minimum_line)
    return PriceBreak(quantity, round(total / quantity, 4), round(total, 2))


def quote(
    analysis: Analysis,
    process: Process,
    material_name: str,
    quantity: int,
    *,
    now: datetime,
    capacity: Capacity | None = None,
    tables: Tables | None = None,
) -> Quote:
    """``capacity`` None means one idle machine per process (a shop without a planner)."""
    tables = tables or default_tables()
    if quantity < 1:
        raise CostingError("The quantity must be at least 1.")
    spec = tables.processes[process]
    material = material_for(tables, process, material_name)
    findings = tuple(check(analysis, spec))
    if any(finding.severity is Severity.BLOCKING for finding in findings):
        return Quote(process, material.name, quantity, findings, True, None, None, None, (), ())
    cost = part_cost(analysis, spec, material)
    chosen = price(cost, spec, tables, quantity)
    breaks = tuple(price(cost, spec, tables, q) for q in sorted({*BREAKS, quantity}))
    piece_hours = cost.machine_hours * learning_factor(spec, quantity)
    load = capacity or Capacity(dict.fromkeys(Process, (MachineTime(now),)))
    times = lead_times(process, quantity, piece_hours, spec.handling_hours, load, now)
    return Quote(
        process, material.name, quantity, findings, False, cost,
        chosen.unit_price, chosen.total, breaks, tuple(times),
    )  # fmt: skip
