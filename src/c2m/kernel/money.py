"""Money as integer minor units (cents), never floats, so sums and refunds are exact."""

from __future__ import annotations

from decimal import Decimal


def format_money(amount_minor: int, currency: str) -> str:
    """Human form of an amount, e.g. ``EUR 12.50``."""
    return f"{currency} {Decimal(amount_minor) / 100:,.2f}"
