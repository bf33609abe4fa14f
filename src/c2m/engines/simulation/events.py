"""What the twin says, shaped like the MQTT contract so an adapter only has to publish it.

Each event is one message: ``topic`` is ``c2m/v1/<factory>/<machine>/<kind>`` and ``payload``
is its JSON body. ``at`` is simulated seconds; the adapter stamps wall-clock time itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Measured = dict[str, str | int | float]
"""One measured value of an inspection's report: name, value, unit, piece."""
JSONValue = str | int | float | bool | None | list[str] | list[Measured]
Payload = dict[str, JSONValue]


@dataclass(frozen=True, slots=True)
class TwinEvent:
    at: float
    factory_id: str
    machine_id: str
    kind: str
    """``birth``, ``death``, ``state``, ``telemetry`` or ``job/<operation>/<phase>``."""
    payload: Payload

    @property
    def topic(self) -> str:
        return f"c2m/v1/{self.factory_id}/{self.machine_id}/{self.kind}"

    @property
    def operation(self) -> str | None:
        """The operation id of a ``job/...`` event, None for the others."""
        return self.kind.split("/", 2)[1] if self.kind.startswith("job/") else None

    @property
    def phase(self) -> str:
        """``accepted``/``started``/``progress``/``done``/``failed`` for jobs, else the kind."""
        return self.kind.rsplit("/", 1)[-1]


Listener = Callable[[TwinEvent], None]
"""The twin's only output port; called synchronously, in simulated-time order."""


class EventLog:
    """A listener that keeps everything, for tests, benchmarks and replay."""

    def __init__(self) -> None:
        self.events: list[TwinEvent] = []

    def __call__(self, event: TwinEvent) -> None:
        self.events.append(event)

    def of(self, machine_id: str) -> list[TwinEvent]:
        return [e for e in self.events if e.machine_id == machine_id]
