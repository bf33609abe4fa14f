"""The plant as plain, validated dataclasses: machines, setups, failures, scrap, job commands.

Times are in simulated seconds everywhere so that ``RealtimeEnvironment(factor=1 / speed)`` paces
one simulated second as ``1 / speed`` wall-clock seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from c2m.domains.factory.vocabulary import CAPABILITIES, ContractError, check_topic_id
from c2m.engines.quality import Tolerance, tolerances_of


class TwinError(ValueError):
    """A factory definition or a command the twin cannot accept, said in a sentence."""


def _topic_id(kind: str, value: str) -> str:
    try:
        return check_topic_id(kind, value)
    except ContractError as exc:
        raise TwinError(str(exc)) from None


class Ack(StrEnum):
    """What ``submit`` did with a command; a duplicate is acknowledged, never run twice."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    OFFLINE = "offline"


BreakdownPolicy = Literal["fail", "hold"]
"""``fail``: the running attempt is aborted (the platform re-plans it under a new attempt id);
``hold``: it pauses and resumes where it stopped once the machine is repaired."""


@dataclass(frozen=True, slots=True)
class SetupTimes:
    """Sequence-dependent changeover: none within a family, ``changeovers[(from, to)]`` when
    listed, ``default_s`` otherwise (also for the first job after birth, ``from`` = None)."""

    default_s: float = 0.0
    changeovers: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.default_s < 0 or any(s < 0 for s in self.changeovers.values()):
            raise TwinError("setup times cannot be negative")

    def between(self, previous: str | None, family: str) -> float:
        if previous == family:
            return 0.0
        if previous is None:
            return self.default_s
        return self.changeovers.get((previous, family), self.default_s)


@dataclass(frozen=True, slots=True)
class MachineSpec:
    """One machine of the plant and the parameters of its random behaviour.

    Processing takes ``nominal_s / speed`` times a lognormal factor of mean 1 (``noise_sigma``);
    breakdowns arrive after exponential times of mean ``mtbf_s`` (None: never) and take
    exponential repairs of mean ``mttr_s``; a part leaving a machine that can ``inspect`` is
    scrapped with probability ``scrap_rate``. Given dimensions to measure, an inspection
    machine measures each piece instead, with gauge noise around the nominal value, and a
    piece it would have scrapped has one dimension out of tolerance.
    """

    id: str
    capabilities: tuple[str, ...]
    name: str = ""
    speed: float = 1.0
    setup: SetupTimes = field(default_factory=SetupTimes)
    mtbf_s: float | None = None
    mttr_s: float = 1800.0
    noise_sigma: float = 0.1
    scrap_rate: float = 0.0
    on_breakdown: BreakdownPolicy = "fail"
    telemetry_period_s: float = 60.0
    rated_power_kw: float = 5.0

    def __post_init__(self) -> None:
        _topic_id("machine id", self.id)
        if not self.capabilities:
            raise TwinError(f"machine {self.id!r} has no capability")
        unknown = sorted(set(self.capabilities) - CAPABILITIES)
        if unknown:
            raise TwinError(
                f"machine {self.id!r} has unknown capabilities {unknown}; "
                f"known ones are {sorted(CAPABILITIES)}"
            )
        if self.speed <= 0:
            raise TwinError(f"machine {self.id!r}: speed must be positive")
        if self.mtbf_s is not None and self.mtbf_s <= 0:
            raise TwinError(f"machine {self.id!r}: mtbf_s must be positive (or absent)")
        if self.mttr_s <= 0:
            raise TwinError(f"machine {self.id!r}: mttr_s must be positive")
        if self.noise_sigma < 0:
            raise TwinError(f"machine {self.id!r}: noise_sigma cannot be negative")
        if not 0.0 <= self.scrap_rate < 1.0:
            raise TwinError(f"machine {self.id!r}: scrap_rate must be in [0, 1)")
        if self.scrap_rate and not self.inspects:
            raise TwinError(f"machine {self.id!r}: only inspection machines scrap parts")
        if self.on_breakdown not in ("fail", "hold"):
            raise TwinError(f"machine {self.id!r}: on_breakdown must be 'fail' or 'hold'")
        if self.telemetry_period_s <= 0:
            raise TwinError(f"machine {self.id!r}: telemetry_period_s must be positive")

    @property
    def inspects(self) -> bool:
        return "inspect" in self.capabilities


@dataclass(frozen=True, slots=True)
class FactorySpec:
    id: str
    machines: tuple[MachineSpec, ...]

    def __post_init__(self) -> None:
        _topic_id("factory id", self.id)
        ids = [machine.id for machine in self.machines]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise TwinError(f"factory {self.id!r} lists machines {duplicates} more than once")

    def capable(self, capability: str) -> tuple[MachineSpec, ...]:
        return tuple(m for m in self.machines if capability in m.capabilities)


@dataclass(frozen=True, slots=True)
class JobCommand:
    """What arrives on ``c2m/v1/<factory>/<machine>/cmd``: run one attempt of an operation.

    ``capability`` is optional; when given, a machine without it rejects the job. From the job
    document: how many pieces, for an inspection the dimensions to measure on each, and the
    materials (key, quantity) it takes from the stores.
    """

    operation_id: str
    attempt_id: str
    nominal_s: float
    family: str
    capability: str | None = None
    quantity: int = 1
    inspection: tuple[Tolerance, ...] = ()
    materials: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        _topic_id("operation id", self.operation_id)
        if not self.attempt_id:
            raise TwinError("a command needs an attempt id")
        if not self.nominal_s >= 0:
            raise TwinError(f"operation {self.operation_id!r}: nominal_s must be >= 0")

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> JobCommand:
        """Parse a decoded ``cmd`` message; anything malformed is a TwinError, never a crash."""
        operation, attempt = payload.get("operation_id"), payload.get("attempt_id")
        nominal, family = payload.get("nominal_s"), payload.get("family", "")
        capability = payload.get("capability")
        if not isinstance(operation, str) or not isinstance(attempt, str):
            raise TwinError("operation_id and attempt_id must be strings")
        if isinstance(nominal, bool) or not isinstance(nominal, int | float):
            raise TwinError("nominal_s must be a number of seconds")
        if not isinstance(family, str) or not (capability is None or isinstance(capability, str)):
            raise TwinError("family and capability must be strings")
        job = payload.get("job") or {}
        if not isinstance(job, Mapping):
            raise TwinError("job must be a JSON object")
        quantity, dimensions = job.get("quantity", 1), job.get("inspection") or []
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise TwinError("job.quantity must be a whole number of pieces")
        try:
            inspection = tolerances_of(dimensions)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise TwinError(
                "job.inspection lists dimensions with name, nominal and tolerance"
            ) from None
        try:
            materials = tuple(
                (str(m["material"]), float(m["quantity"])) for m in job.get("materials") or ()
            )
        except (KeyError, TypeError, ValueError):
            raise TwinError("job.materials lists materials with material and quantity") from None
        return cls(
            operation, attempt, float(nominal), family, capability, quantity, inspection, materials
        )
