"""c2m: open customer-to-manufacturer platform."""

from importlib.metadata import version

__version__ = version("c2m")  # one source of truth: pyproject.toml, via the installed metadata
