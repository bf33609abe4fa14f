"""What every command that runs c2m needs first: its settings, and logging set up from them."""

from __future__ import annotations

from typing import Any

from c2m.kernel.logs import configure_logging
from c2m.settings import Settings, load_settings


def configure(**overrides: Any) -> Settings:
    """Settings from ``C2M_*`` and ``overrides``; a wrong one is a :class:`SettingsError`,
    which ``guarded`` turns into one sentence."""
    settings = load_settings(**overrides)
    configure_logging(settings.log_level, settings.log_format)
    return settings
