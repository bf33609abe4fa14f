"""The words of the machine contract: what a machine can do, the states it reports, which ids
may travel as topic levels. Real machines, the digital twin and the platform all speak them.

Pure on purpose (no database, no broker), so the simulator can import it without importing
the factory domain's tables.
"""

from __future__ import annotations

import re
from enum import StrEnum

CAPABILITIES: frozenset[str] = frozenset(
    {
        "sheet-cut",
        "cnc-mill",
        "fdm-print",
        "sla-print",
        "sls-print",
        "sew",
        "foam-inject",
        "assemble",
        "inspect",
        "pack",
    }
)
"""What a machine can do; routings name one of these per operation."""

# MQTT topic levels may not contain these, and ids travel in topics.
TOPIC_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:~-]*$"
_TOPIC_SAFE = re.compile(TOPIC_PATTERN)


class ContractError(ValueError):
    """A message that breaks the contract; the sentence is the logged reason it was dropped."""


def check_topic_id(kind: str, value: str) -> str:
    """Ids become MQTT topic levels, so ``/``, ``+``, ``#`` and blanks are refused early."""
    if not _TOPIC_SAFE.match(value):
        raise ContractError(
            f"{kind} {value!r} cannot be an MQTT topic level: use letters, digits and . _ : ~ -"
        )
    return value


class MachineState(StrEnum):
    OFFLINE = "offline"
    IDLE = "idle"
    SETUP = "setup"
    RUNNING = "running"
    DOWN = "down"
    MAINTENANCE = "maintenance"
