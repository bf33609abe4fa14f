"""Where routing puts a country on the map: its rough centre, so the engine's shipping days can
prefer a maker near the customer. Makers and customers give a country, not an address; a country
not listed here counts as far away (the engine's shipping estimate from the middle of the ocean),
so a maker there is still considered but ranks behind nearby ones."""

from __future__ import annotations

from c2m.engines.routing import Place

UNKNOWN = Place(0.0, -30.0)

#: ISO 3166-1 alpha-2 → (latitude, longitude) of the country's rough centre, in degrees.
CENTRES: dict[str, tuple[float, float]] = {
    "AT": (47.6, 14.1),
    "BE": (50.6, 4.7),
    "BG": (42.7, 25.5),
    "CH": (46.8, 8.2),
    "CY": (35.0, 33.2),
    "CZ": (49.8, 15.5),
    "DE": (51.2, 10.4),
    "DK": (56.0, 10.0),
    "EE": (58.6, 25.0),
    "ES": (40.2, -3.6),
    "FI": (62.0, 26.0),
    "FR": (46.6, 2.4),
    "GB": (53.0, -1.8),
    "GR": (39.1, 22.0),
    "HR": (45.2, 15.5),
    "HU": (47.2, 19.4),
    "IE": (53.2, -8.1),
    "IS": (64.9, -18.6),
    "IT": (42.8, 12.5),
    "LT": (55.2, 23.9),
    "LU": (49.8, 6.1),
    "LV": (56.9, 24.6),
    "MT": (35.9, 14.4),
    "NL": (52.2, 5.5),
    "NO": (61.0, 9.0),
    "PL": (52.1, 19.4),
    "PT": (39.6, -8.0),
    "RO": (45.9, 24.9),
    "RS": (44.0, 20.9),
    "SE": (62.0, 15.0),
    "SI": (46.1, 14.8),
    "SK": (48.7, 19.7),
    "TR": (39.0, 35.2),
    "UA": (49.0, 31.4),
    "US": (39.8, -98.6),
    "CA": (56.1, -106.3),
    "MX": (23.6, -102.6),
    "BR": (-14.2, -51.9),
    "CN": (35.9, 104.2),
    "IN": (21.0, 78.0),
    "JP": (36.2, 138.3),
    "KR": (36.5, 127.9),
    "AU": (-25.3, 133.8),
    "ZA": (-30.6, 22.9),
}


def place_of(country: str) -> Place:
    """The rough centre of ``country``, or a far-away place for a country not listed."""
    centre = CENTRES.get(country)
    return UNKNOWN if centre is None else Place(*centre)
