"""Costing engine: process cost models, DFM rules, quantity breaks and lead-time tiers."""

from typing import TYPE_CHECKING

from c2m.engines.exports import lazy_exports

if TYPE_CHECKING:
    from c2m.engines.costing.estimate import CostingError, Quote, material_for, quote
    from c2m.engines.costing.leadtime import Capacity, MachineTime, Tier
    from c2m.engines.costing.tables import Process, Tables, default_tables

_EXPORTS = {
    "Capacity": "leadtime",
    "MachineTime": "leadtime",
    "Tier": "leadtime",
    "CostingError": "estimate",
    "Quote": "estimate",
    "material_for": "estimate",
    "quote": "estimate",
    "Process": "tables",
    "Tables": "tables",
    "default_tables": "tables",
}
__all__ = [
    "Capacity",
    "CostingError",
    "MachineTime",
    "Process",
    "Quote",
    "Tables",
    "Tier",
    "default_tables",
    "material_for",
    "quote",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)
