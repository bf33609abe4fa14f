"""Money as integer minor units (cents), never floats, so sums and refunds are exact.

How many minor units a currency has comes from ISO 4217 (through Babel): a yen has none, a
euro two, a Kuwaiti dinar three, so an amount is never turned into a number by "÷ 100".
"""

from __future__ import annotations

from decimal import Decimal


def exponent(currency: str) -> int:
    """Digits after the decimal point of ``currency`` (ISO 4217), e.g. 2 for EUR, 0 for JPY."""
    from babel.numbers import get_currency_precision  # Babel loads with the first amount shown

    return int(get_currency_precision(currency))


def to_decimal(amount_minor: int, currency: str) -> Decimal:
    """The amount in major units, exact, with the currency's number of decimals."""
    return Decimal(amount_minor).scaleb(-exponent(currency))


def format_amount(amount_minor: int, currency: str, locale: str = "en") -> str:
    """An amount as people of ``locale`` write it, rounded to the currency's own exponent."""
    from babel.numbers import format_currency

    return str(
        format_currency(
            to_decimal(amount_minor, currency), currency, locale=locale, currency_digits=True
        )
    )


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount in major units as integer minor units, e.g. EUR 1.5 → 150; ``ValueError`` for
    more decimals than the currency has (JPY 1.5) or for a number that is not finite."""
    if not amount.is_finite():
        raise ValueError(f"{amount} is not an amount of money")
    minor = amount.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} amounts have at most {exponent(currency)} decimals")
    return int(minor)
