"""Sizes the whole platform agrees on, so a configuration or a quantity accepted in one place is
never refused in another."""

from __future__ import annotations

MAX_OPTIONS = 60
"""Options one configuration may set."""

MAX_QUANTITY = 10_000
"""Units of one product on one order line."""

MAX_LINES = 50
"""Lines on one order."""
