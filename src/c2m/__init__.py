"""c2m: open customer-to-manufacturer platform."""

__version__ = "0.1.0"
