"""What the factory domain accepts: factories and machines as an owner describes them."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from c2m.domains.factory.vocabulary import (
    CAPABILITIES,
    TOPIC_PATTERN,
    ContractError,
    check_topic_id,
)
from c2m.kernel.schemas import NOT_BOOL, VISIBLE, Strict

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _topic_level(value: str) -> str:
    try:
        return check_topic_id("code", value)
    except ContractError as exc:
        raise ValueError(str(exc)) from None


#: Codes become MQTT topic levels (``c2m/v1/<factory>/<machine>/...``).
TopicLevel = Annotated[
    str, Field(min_length=1, max_length=64, pattern=TOPIC_PATTERN), AfterValidator(_topic_level)
]


class Shift(Strict):
    start: time
    end: time

    @model_validator(mode="after")
    def _after_start(self) -> Shift:
        if self.end <= self.start:
            raise ValueError("a shift ends after it starts (split a night shift at midnight)")
        return self


class Calendar(Strict):
    """When a machine may be planned: shifts per weekday in ``timezone``; a missing day is off."""

    timezone: str = Field("UTC", max_length=60)
    week: dict[Weekday, list[Shift]] = Field(default_factory=dict)


class NewFactory(Strict):
    code: TopicLevel = Field(examples=["north-1"])
    name: str = Field(min_length=1, max_length=120, pattern=VISIBLE)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")


def _capability_items(schema: dict[str, Any]) -> None:
    """Say the known capabilities in the schema, so clients (and fuzzers) can know them."""
    schema["items"] = {"type": "string", "enum": [*sorted(CAPABILITIES)]}


class NewMachine(Strict):
    code: TopicLevel = Field(examples=["laser-1"])
    name: str = Field("", max_length=120)
    capabilities: list[str] = Field(
        min_length=1,
        max_length=len(CAPABILITIES),
        json_schema_extra=_capability_items,
    )
    speed: Annotated[float, NOT_BOOL] = Field(1.0, gt=0, le=100)
    hourly_rate: Annotated[int, NOT_BOOL] = Field(
        0, ge=0, le=10**9, description="Minor units per hour."
    )
    calendar: Calendar | None = Field(None, description="Absent: available around the clock.")

    @field_validator("capabilities")
    @classmethod
    def _known(cls, capabilities: list[str]) -> list[str]:
        unknown = sorted(set(capabilities) - CAPABILITIES)
        if unknown:
            raise ValueError(f"unknown capabilities {unknown}; known: {sorted(CAPABILITIES)}")
        return sorted(set(capabilities))


class FactoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    enterprise_id: str
    code: str
    name: str
    currency: str


class MachineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    factory_id: str
    code: str
    name: str
    capabilities: list[str]
    speed: float
    hourly_rate: int
    calendar: dict[str, Any] | None
    state: str
    state_reason: str | None


class MachineSecret(BaseModel):
    """A machine's new login: shown once; only its hash is kept."""

    username: str = Field(description="<factory code>/<machine code>, also its MQTT username")
    secret: str = Field(description="The password for file links and the MQTT broker")
