"""Where a maker ships from: an ISO 3166-1 country and, within it, a region in the maker's words.

The country list is Babel's (CLDR), so it needs no download and matches the locale data the
money formats come from; CLDR's groupings and reserved codes (EU, UN, ZZ...) are left out.
"""

from __future__ import annotations

from functools import cache

NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN"})
NOT_COUNTRIES_EITHER = frozenset({"XA", "XB", "ZZ"})  # CLDR's pseudo-locales and "unknown"


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → English name, sorted by name."""
    from babel import Locale

    names = {str(code): str(name) for code, name in Locale("en").territories.items()}
    excluded = NOT_COUNTRIES | NOT_COUNTRIES_EITHER
    codes = (code for code in names if len(code) == 2 and code.isalpha() and code not in excluded)
    return dict(sorted(((code, names[code]) for code in codes), key=lambda item: item[1]))


def check_country(code: str) -> str:
    if code not in countries():
        raise ValueError(f"{code!r} is not an ISO 3166-1 country code such as DE, FR or US")
    return code
