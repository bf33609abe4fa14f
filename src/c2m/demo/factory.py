"""The demo factory as data, and random orders of the three demo products.

The factory makes refrigerators (cut, foam, engrave, assemble, inspect, pack), made-to-measure
shirts (cut, sew, monogram, inspect, pack) and parametric mounting plates (cut, mill, inspect,
pack); two 3D printers take uploaded parts. Step durations follow the routing formulas of the
configurator's demo templates, in seconds.
"""

from __future__ import annotations

import random
from typing import Any

from c2m.engines.simulation.dispatcher import Step, WorkOrder
from c2m.engines.simulation.loading import factory_from_dict
from c2m.engines.simulation.model import FactorySpec

HOUR = 3600.0
DAY = 24 * HOUR
WEEK = 7 * DAY

FABRICS = ("cotton", "linen")
METALS = ("aluminium", "steel", "stainless", "pom")
PLATES = tuple(f"plate-{metal}" for metal in METALS)
SHIRTS = tuple(f"shirt-{fabric}" for fabric in FABRICS)


def _changeovers(families: tuple[str, ...], seconds: float) -> dict[str, dict[str, float]]:
    """The same changeover time between every two distinct families of a group."""
    return {a: {b: seconds for b in families if b != a} for a in families}


_LASER = {"default_s": 900, "changeovers": _changeovers(PLATES, 300)}
_MILL = {"default_s": 1200, "changeovers": _changeovers(PLATES, 600)}
_SEWING = {"default_s": 300, "changeovers": _changeovers(SHIRTS, 180)}

DEMO_FACTORY: dict[str, Any] = {
    "id": "demo",
    "defaults": {"mtbf_s": 3 * DAY, "mttr_s": 40 * 60, "noise_sigma": 0.1},
    "machines": [
        {"id": "laser-1", "name": "Fibre laser", "capabilities": ["sheet-cut"], "setup": _LASER},
        {
            "id": "laser-2",
            "name": "Fibre laser (fast)",
            "capabilities": ["sheet-cut"],
            "speed": 1.25,
            "setup": _LASER,
        },
        {
            "id": "cutter-1",
            "name": "Fabric cutting table",
            "capabilities": ["sheet-cut"],
            "setup": {"default_s": 240},
            "rated_power_kw": 2,
        },
        {"id": "mill-1", "name": "5-axis mill", "capabilities": ["cnc-mill"], "setup": _MILL},
        {
            "id": "mill-2",
            "name": "3-axis mill",
            "capabilities": ["cnc-mill"],
            "speed": 0.8,
            "setup": _MILL,
            "on_breakdown": "hold",
        },
        {
            "id": "printer-1",
            "name": "FDM printer",
            "capabilities": ["fdm-print"],
            "setup": {"default_s": 120},
            "mtbf_s": DAY,
            "mttr_s": 15 * 60,
            "on_breakdown": "hold",
            "rated_power_kw": 0.3,
        },
        {
            "id": "printer-2",
            "name": "FDM printer",
            "capabilities": ["fdm-print"],
            "setup": {"default_s": 120},
            "mtbf_s": DAY,
            "mttr_s": 15 * 60,
            "rated_power_kw": 0.3,
        },
        *(
            {
                "id": f"sew-{n}",
                "name": "Sewing cell",
                "capabilities": ["sew"],
                "setup": _SEWING,
                "rated_power_kw": 0.5,
            }
            for n in (1, 2, 3)
        ),
        {
            "id": "foam-1",
            "name": "Foam injection press",
            "capabilities": ["foam-inject"],
            "setup": {"default_s": 600},
            "mtbf_s": 4 * DAY,
            "mttr_s": 90 * 60,
            "rated_power_kw": 30,
        },
        *(
            {
                "id": f"assembly-{n}",
                "name": "Assembly cell",
                "capabilities": ["assemble"],
                "setup": {"default_s": 600},
            }
            for n in (1, 2)
        ),
        {
            "id": "cmm-1",
            "name": "Coordinate measuring machine",
            "capabilities": ["inspect"],
            "setup": {"default_s": 300},
            "scrap_rate": 0.02,
        },
        {
            "id": "vision-1",
            "name": "Vision inspection",
            "capabilities": ["inspect"],
            "setup": {"default_s": 60},
            "scrap_rate": 0.03,
        },
        *(
            {
                "id": f"pack-{n}",
                "name": "Packing station",
                "capabilities": ["pack"],
                "setup": {"default_s": 60},
                "rated_power_kw": 1,
            }
            for n in (1, 2)
        ),
    ],
}


HOURLY_RATES = {
    "laser": 6000,
    "cutter": 3000,
    "mill": 7500,
    "printer": 400,
    "sew": 2500,
    "foam": 9000,
    "assembly": 4000,
    "cmm": 5000,
    "vision": 2000,
    "pack": 1500,
}
"""What an hour of each kind of demo machine costs (euro cents, by the code before the dash), so
the ledger charges production and the scorecard's contribution margin is not the whole sale."""


def demo_factory() -> FactorySpec:
    return factory_from_dict(DEMO_FACTORY)


def _minutes(*steps: tuple[str, str, float]) -> tuple[Step, ...]:
    return tuple(
        Step(operation, capability, minutes * 60) for operation, capability, minutes in steps
    )


def demo_order(order_id: str, rng: random.Random, mix: tuple[float, float, float]) -> WorkOrder:
    """One piece of a random demo product; ``mix`` weighs refrigerator, shirt and plate."""
    product = rng.choices(("refrigerator", "shirt", "plate"), weights=mix)[0]
    if product == "refrigerator":
        doors, capacity = rng.choice((1, 2)), rng.choice((250, 300, 400))
        engraving, ice_maker = rng.choice((0, 0, 8)), rng.random() < 0.3
        steps = _minutes(
            ("cut", "sheet-cut", 20 + 5 * doors),
            ("foam", "foam-inject", 30 + capacity / 20),
            *((("engrave", "cnc-mill", 10 + 2 * engraving),) if engraving else ()),
            *((("ice-maker", "assemble", 25),) if ice_maker else ()),
            ("assemble", "assemble", 60 + 15 * doors),
            ("inspect", "inspect", 20),
            ("pack", "pack", 15),
        )
        return WorkOrder(order_id, "refrigerator", steps)
    if product == "shirt":
        fabric, monogram = rng.choice(FABRICS), rng.choice((0, 0, 3))
        steps = _minutes(
            ("cut", "sheet-cut", 12 + rng.uniform(80, 130) / 200),
            ("sew", "sew", 45 + rng.choice((0, 10))),
            *((("monogram", "sew", 5 + 3 * monogram),) if monogram else ()),
            ("inspect", "inspect", 5),
            ("pack", "pack", 3),
        )
        return WorkOrder(order_id, f"shirt-{fabric}", steps)
    metal, holes, fine = rng.choice(METALS), rng.randint(2, 8), rng.random() < 0.3
    size = rng.uniform(100, 600)
    steps = _minutes(
        ("cut", "sheet-cut", 5 + size / 100),
        ("mill", "cnc-mill", 8 + 1.5 * holes + (6 if fine else 0)),
        ("inspect", "inspect", (10 if fine else 2) + 2),
        ("pack", "pack", 3),
    )
    return WorkOrder(order_id, f"plate-{metal}", steps)
