"""How long a parcel takes from a maker to a customer: great-circle distance and a
days-per-distance rule, so routing needs no carrier table to prefer a nearby maker."""

from __future__ import annotations

import math

from c2m.engines.routing.model import Place

EARTH_KM = 6371.0
#: One day covers a parcel within this distance (same city or region, next-day courier)...
NEXT_DAY_KM = 300.0
#: ...and each further day this much more (road and rail parcels in Europe).
KM_PER_EXTRA_DAY = 700.0


def distance_km(a: Place, b: Place) -> float:
    """Great-circle (haversine) distance in kilometres."""
    la1, la2 = math.radians(a.lat), math.radians(b.lat)
    dla, dlo = la2 - la1, math.radians(b.lon - a.lon)
    h = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def ship_days(a: Place, b: Place) -> int:
    """Whole days in transit: 1 up to 300 km, one more for every further 700 km started."""
    return 1 + math.ceil(max(0.0, distance_km(a, b) - NEXT_DAY_KM) / KM_PER_EXTRA_DAY)


def in_days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"
