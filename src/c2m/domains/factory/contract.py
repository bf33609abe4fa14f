"""The machines' MQTT contract: topics and payloads, checked before anything is believed.

Every message from a machine is parsed here into a ``Report`` or refused with a ``ContractError``
that says why, so a hostile or broken publisher can cost a log line but never a crash.
See docs/machines.md for the contract as a person reads it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from c2m.domains.factory.vocabulary import ContractError, MachineState, check_topic_id

ROOT: Final = "c2m/v1"
SUBSCRIPTION: Final = f"{ROOT}/+/+/#"
"""Every factory, every machine, every kind (the platform's own commands included)."""
REPORTS: Final = tuple(
    f"{ROOT}/+/+/{kind}" for kind in ("birth", "death", "state", "telemetry", "job/#")
)
"""What the ingest subscribes to: everything machines report, not the platform's commands."""

COMMAND: Final = "cmd"
"""The kind of topic the platform publishes on (its commands)."""
REBIRTH: Final = b'{"rebirth":true}'
"""The ``cmd`` that asks a machine to say again its birth, its state and its latest job reports
(Sparkplug's rebirth request): the ingest sends it whenever it has subscribed, since a broker
without persistence kept nothing for it while it was away."""
JOB_PHASES: Final = ("accepted", "started", "progress", "done", "failed")
MAX_CLOCK_AHEAD_S: Final = 300
"""A machine's clock may run this far ahead of the platform's before its ``ts`` is refused."""
MAX_PAYLOAD: Final = 131_072
"""Bytes; a machine report is a few hundred (an inspection's, with every piece's measurements,
some tens of thousands), anything larger is refused unread."""
MAX_MEASUREMENTS: Final = 2000
"""Measured values one inspection report may carry (pieces times dimensions)."""

Text = Annotated[str, StringConstraints(max_length=200)]
AttemptId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def topic(factory: str, machine: str, kind: str) -> str:
    return f"{ROOT}/{factory}/{machine}/{kind}"


@dataclass(frozen=True, slots=True)
class Topic:
    """Where a message came from: ``c2m/v1/<factory>/<machine>/<kind>[/<operation>/<phase>]``."""

    factory: str
    machine: str
    kind: str
    operation: str | None = None
    phase: str | None = None


@functools.lru_cache(maxsize=4096)  # a plant has few topics; a flood of new ones only churns it
def parse_topic(name: str) -> Topic:
    parts = name.split("/")
    if len(parts) < 5 or f"{parts[0]}/{parts[1]}" != ROOT:
        raise ContractError(f"topic {name!r} is not under {ROOT}/<factory>/<machine>/")
    factory, machine, kind, rest = parts[2], parts[3], parts[4], parts[5:]
    check_topic_id("factory", factory)
    check_topic_id("machine", machine)
    if kind in ("birth", "death", "state", "telemetry", COMMAND) and not rest:
        return Topic(factory, machine, kind)
    if kind == "job" and len(rest) == 2 and rest[1] in JOB_PHASES and rest[0]:
        return Topic(factory, machine, kind, rest[0], rest[1])
    raise ContractError(f"topic {name!r} names no known message kind")


class Payload(BaseModel):
    """Base of what machines send: strict types (``true`` is not a number); unknown keys are
    ignored, so machines may say more than the contract asks."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    ts: int | None = Field(None, ge=0, description="When it happened, milliseconds since 1970.")


class Birth(Payload):
    bdSeq: int = Field(ge=0)
    capabilities: list[Text] = Field(default_factory=list, max_length=32)
    aborted: list[AttemptId] = Field(default_factory=list, max_length=1000)


class Death(Payload):
    bdSeq: int = Field(ge=0)


class StateChange(Payload):
    state: MachineState
    previous: MachineState | None = None
    reason: Text | None = None
    operation: Text | None = None


class Telemetry(Payload):
    seq: int = Field(ge=0, le=255)
    state: MachineState | None = None
    power_kw: float | None = None
    parts: int | None = Field(None, ge=0)
    operation: Text | None = None
    values: dict[Annotated[str, StringConstraints(max_length=40)], float] | None = Field(
        None, max_length=32
    )


class MeasuredValue(BaseModel):
    """One dimension measured on one piece, in the unit the job document gave it."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    value: float = Field(allow_inf_nan=False)
    unit: Annotated[str, StringConstraints(max_length=20)] | None = None
    piece: int = Field(1, ge=1, description="Which piece of the job (1..quantity).")


class MaterialUsed(BaseModel):
    """A material a job takes (in its document) or took (in its ``done`` report): the stores'
    ``material`` key and the quantity in ``unit``, for all the job's pieces."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    material: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    quantity: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    unit: Annotated[str, StringConstraints(max_length=20)] | None = None
    name: Text | None = None


class JobReport(Payload):
    attempt_id: AttemptId
    duplicate: bool = False
    percent: int | None = Field(None, ge=0, le=100)
    outcome: Annotated[str, StringConstraints(max_length=20)] | None = None
    reason: Text | None = None
    measurements: list[MeasuredValue] | None = Field(None, max_length=MAX_MEASUREMENTS)
    consumed: list[MaterialUsed] | None = Field(None, max_length=50)


class Artifact(BaseModel):
    """The file to make the part from: fetched from ``url`` with the machine's credentials
    (HTTP Basic), before ``expires`` (ms since 1970), and used only if ``size`` and ``sha256``
    match what arrived."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    url: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=0)
    media_type: Text
    filename: Text = ""
    expires: int = Field(ge=0)


class OperationParameters(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    step: Text
    name: Text
    capability: Text
    nominal_s: float = Field(ge=0)


class Setting(BaseModel):
    """One choice of the product's configuration, in words (``label``, ``text``) and values."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    option: Text
    label: Text
    value: str | float | bool
    text: Text
    unit: Text | None = None


class InspectedDimension(BaseModel):
    """A dimension an inspection step measures on every piece: ``nominal ± tolerance``, in
    ``unit``, derived from the customer's configuration."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    label: Text
    nominal: float
    tolerance: float = Field(ge=0)
    unit: Annotated[str, StringConstraints(max_length=20)] = ""


class JobDocument(BaseModel):
    """What to make, in values and words: enough for a person or a slicer, without ids to look
    up. ``artifact`` is None when the operation needs no file (packing, inspection...);
    ``inspection`` lists what an inspection step measures (empty for other steps);
    ``materials`` what the step takes from the stores, by the bill of materials."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    product: Text
    configuration: list[Setting] = Field(default_factory=list, max_length=100)
    material: Text | None = None
    colour: Text | None = None
    quantity: int = Field(ge=1)
    operation: OperationParameters
    artifact: Artifact | None = None
    inspection: list[InspectedDimension] = Field(default_factory=list, max_length=50)
    materials: list[MaterialUsed] = Field(default_factory=list, max_length=50)


class Command(BaseModel):
    """The body of ``.../cmd``: run one attempt of an operation, at most once per attempt id.

    A machine must not start an attempt after ``lease_expires`` (ms since 1970): by then the
    platform may have given the operation to another machine. ``job`` says what to make; old
    machines may ignore it.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    operation_id: Text
    attempt_id: AttemptId
    nominal_s: float = Field(ge=0)
    family: Text = ""
    capability: Text | None = None
    lease_expires: int | None = None
    job: JobDocument | None = None


_MODELS: dict[str, type[Payload]] = {
    "birth": Birth,
    "death": Death,
    "state": StateChange,
    "telemetry": Telemetry,
    "job": JobReport,
}


@dataclass(frozen=True, slots=True)
class Report:
    """One accepted message: where from, what it says, and when it happened."""

    topic: Topic
    body: Payload
    at: datetime


def parse(name: str, payload: bytes, received: float) -> Report:
    """Topic, size, JSON and types checked; ``received`` (epoch seconds) stands in for ``ts``."""
    where = parse_topic(name)
    model = _MODELS.get(where.kind)
    if model is None:
        raise ContractError(f"{where.kind!r} messages are sent by the platform, not to it")
    if len(payload) > MAX_PAYLOAD:
        raise ContractError(f"payload of {len(payload)} bytes is over {MAX_PAYLOAD}")
    try:
        body = model.model_validate_json(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"]) or "payload"
        raise ContractError(f"{where.kind} payload: {place}: {first['msg']}") from None
    seconds = received if body.ts is None else body.ts / 1000
    if seconds > received + MAX_CLOCK_AHEAD_S:  # it would make every true report look late
        raise ContractError(f"ts {body.ts} is in the future; is the machine's clock set?")
    try:
        at = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ContractError(f"ts {body.ts} is not a time") from None
    return Report(where, body, at)


def is_rebirth(payload: bytes) -> bool:
    """Whether a ``cmd`` is the platform's rebirth request rather than a job."""
    try:
        body = json.loads(payload)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("rebirth") is True


def encode(payload: Mapping[str, object]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
