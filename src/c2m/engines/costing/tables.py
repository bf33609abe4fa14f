"""The tables a micro-enterprise edits: processes, machines' envelopes and rates, materials.
Plain data with defaults typical of a small shop in 2026 (EUR, mm, hours)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Process(enum.StrEnum):
    FDM = "fdm"
    SLA = "sla"
    SLS = "sls"
    CNC = "cnc"


@dataclass(frozen=True, slots=True)
class Material:
    name: str
    process: Process
    density: float  # g/cm3
    price_per_kg: float
    removal_rate: float = 0.0  # cm3/min, CNC roughing in this material


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    """How one process turns geometry into machine hours, and what it cannot make."""

    process: Process
    envelope: tuple[float, float, float]  # largest part, mm, any axis order
    machine_rate: float  # EUR per machine hour
    setup_fee: float  # EUR per order line (slicing, CAM, machine preparation)
    min_wall: float  # mm
    min_feature: float  # mm: smallest gap or detail the process resolves
    learning: float  # each doubling of quantity multiplies machine time by this
    finishing_per_cm2: float  # EUR of manual finishing per cm2 of surface
    deposition_rate: float = 0.0  # cm3 of part per hour (FDM, SLS)
    layer_height: float = 0.0  # mm (SLA: time follows height)
    seconds_per_layer: float = 0.0
    support_density: float = 0.0  # fraction of the support envelope filled with material
    finish_rate: float = 0.0  # CNC: cm2 of surface finished per minute
    setup_per_direction: float = 0.0  # CNC: EUR per fixture setup
    stock_margin: float = 0.0  # CNC: mm of stock added on each side
    handling_hours: float = 0.0  # post-processing before shipping (washing, curing, depowdering)
    supports: bool = True


@dataclass(frozen=True, slots=True)
class Tables:
    processes: dict[Process, ProcessSpec] = field(default_factory=dict)
    materials: dict[str, Material] = field(default_factory=dict)
    margin: float = 0.25  # added on cost
    minimum_line: float = 15.0  # EUR: no order line below this


def default_tables() -> Tables:
    processes = [
        ProcessSpec(Process.FDM, (300, 300, 300), 6.0, 5.0, 0.8, 0.5, 0.95, 0.0,
                    deposition_rate=18.0, support_density=0.15, handling_hours=2.0),
        ProcessSpec(Process.SLA, (145, 145, 175), 9.0, 8.0, 0.5, 0.3, 0.95, 0.002,
                    layer_height=0.05, seconds_per_layer=9.0, support_density=0.05,
                    handling_hours=4.0),
        ProcessSpec(Process.SLS, (300, 300, 300), 22.0, 25.0, 0.8, 0.5, 0.9, 0.001,
                    deposition_rate=60.0, handling_hours=12.0, supports=False),
        ProcessSpec(Process.CNC, (600, 400, 300), 70.0, 60.0, 1.0, 1.0, 0.85, 0.0,
                    finish_rate=20.0, setup_per_direction=25.0, stock_margin=3.0,
                    handling_hours=2.0, supports=False),
    ]  # fmt: skip
    materials = [
        Material("PLA", Process.FDM, 1.24, 25.0),
        Material("PETG", Process.FDM, 1.27, 28.0),
        Material("ABS", Process.FDM, 1.04, 27.0),
        Material("Standard resin", Process.SLA, 1.12, 60.0),
        Material("Tough resin", Process.SLA, 1.15, 110.0),
        Material("PA12", Process.SLS, 1.01, 70.0),
        Material("Aluminium 6061", Process.CNC, 2.70, 8.0, removal_rate=15.0),
        Material("Steel 1018", Process.CNC, 7.87, 4.0, removal_rate=5.0),
        Material("POM", Process.CNC, 1.41, 12.0, removal_rate=30.0),
    ]
    return Tables(
        processes={spec.process: spec for spec in processes},
        materials={material.name.lower(): material for material in materials},
    )
