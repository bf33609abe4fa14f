"""What the makers domain accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from c2m.domains.factory.schemas import Calendar, NewMachine
from c2m.domains.makers.probation import MakerStatus
from c2m.domains.makers.regions import check_country, countries
from c2m.kernel.schemas import NOT_BOOL, TEXT, Strict


def _country_codes(schema: dict[str, Any]) -> None:
    """Say the known codes in the schema, so clients (and fuzzers) can know them."""
    schema["enum"] = list(countries())


Country = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2",
        examples=["DE"],
        json_schema_extra=_country_codes,
    ),
    AfterValidator(check_country),
]
DisplayName = Annotated[
    str,
    Field(
        min_length=2,
        max_length=80,
        pattern=TEXT,
        description="Your workshop's public name: customers see it, never your own name.",
        examples=["Garage Prints"],
    ),
]
Region = Annotated[str, Field(max_length=80, pattern=r"^[^\x00]*$", examples=["Bavaria"])]
Certificate = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=TEXT)]
Certificates = Annotated[
    list[Certificate], Field(max_length=20, examples=[["ISO 9001", "food-safe"]])
]
Label = Annotated[str, Field(min_length=1, max_length=40, pattern=TEXT)]
Millimetres = Annotated[float, Field(gt=0, le=5000), NOT_BOOL]
Tolerance = Annotated[float, Field(gt=0, le=10, description="± mm the machine holds"), NOT_BOOL]
PerCubicCentimetre = Annotated[
    int, Field(ge=0, le=10**9, description="Minor units per cm³ of part."), NOT_BOOL
]
PerHour = Annotated[int, Field(ge=0, le=10**9, description="Minor units per hour."), NOT_BOOL]


class NewMaker(Strict):
    """Becoming a maker: your workshop's public face and where your parts ship from."""

    display_name: DisplayName
    country: Country
    region: Region = ""
    certificates: Certificates = Field(default_factory=list)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$", description="Your prices' currency")


class MakerChange(Strict):
    """Change any of the profile's fields; those not sent stay."""

    display_name: DisplayName | None = None
    country: Country | None = None
    region: Region | None = None
    certificates: Certificates | None = None


class MakerOut(BaseModel):
    id: str
    display_name: str
    country: str
    country_name: str
    region: str
    certificates: list[str]
    status: MakerStatus
    status_in_words: str
    status_reason: str | None
    jobs_done: int
    enterprise_id: str
    factory_id: str
    workshop_code: str = Field(description="Your workshop's code: the factory level of topics")
    currency: str
    created_at: datetime


class BuildVolume(Strict):
    x_mm: Millimetres
    y_mm: Millimetres
    z_mm: Millimetres


class NewMakerMachine(NewMachine):
    """A machine of your workshop with what routing needs: what is loaded, how big and how
    precise it prints, and its prices (``hourly_rate`` per hour, ``price_per_cm3``)."""

    material: Label = Field(examples=["PLA"])
    colour: Label = Field(examples=["black"])
    build_volume: BuildVolume
    tolerance_mm: Tolerance = 0.2
    price_per_cm3: PerCubicCentimetre = 0


class MakerMachineChange(Strict):
    """What a maker changes between jobs: the spool loaded, prices, opening hours. Fields not
    sent stay; ``calendar: null`` means open around the clock."""

    material: Label | None = None
    colour: Label | None = None
    hourly_rate: PerHour | None = None
    price_per_cm3: PerCubicCentimetre | None = None
    calendar: Calendar | None = None


class MakerMachineOut(BaseModel):
    id: str
    code: str
    name: str
    username: str = Field(description="Its login on the broker and for job files")
    capabilities: list[str]
    material: str
    colour: str
    build_volume: BuildVolume
    tolerance_mm: float
    currency: str
    hourly_rate: int
    price_per_hour: str = Field(description="hourly_rate as people read it")
    price_per_cm3: int
    price_per_cm3_text: str = Field(description="price_per_cm3 as people read it")
    calendar: dict[str, Any] | None
    state: str
    state_reason: str | None
    created_at: datetime = Field(description="When it was registered (the order of the list)")


class StatusChange(Strict):
    """Why the platform owner suspends or reinstates a maker; the maker reads it."""

    reason: str = Field(min_length=3, max_length=500, pattern=TEXT)
