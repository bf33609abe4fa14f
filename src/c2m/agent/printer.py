"""What the agent needs from a printer, whichever server drives it (OctoPrint, Moonraker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from c2m.domains.factory.vocabulary import MachineState


class PrinterError(Exception):
    """The printer's server could not be reached or refused a request; the sentence says why."""


@dataclass(frozen=True, slots=True)
class Status:
    """The printer now: its state in the contract's words, readings for telemetry, and the
    print it holds (``file``, the last one selected, stays after the print ends)."""

    state: MachineState
    reason: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    file: str | None = None
    percent: float | None = None
    busy: bool = False
    """A print is under way (printing, paused, starting or cancelling)."""


class Printer(Protocol):
    """One printer behind its server. Methods raise ``PrinterError``, never a transport error."""

    suffixes: tuple[str, ...]
    """The file names it can print, by ending (``.gcode``); any other file is refused."""

    async def version(self) -> str:
        """The server's name and version: proves the address and the key before anything runs."""
        ...

    async def status(self) -> Status: ...

    async def print_file(self, name: str, data: bytes) -> str:
        """Store ``data`` on the printer as ``name`` and start printing it: the name it was
        stored under (a server may clean names up), by which its progress is followed."""
        ...

    async def aclose(self) -> None: ...
