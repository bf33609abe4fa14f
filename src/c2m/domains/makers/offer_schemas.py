"""What the offers API accepts and returns: a job to route, a maker's answer, the offers a maker
sees, and a routed job with every maker's reason as the platform owner sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from c2m.domains.makers.schemas import BuildVolume, Country, Label, Tolerance
from c2m.kernel.schemas import NOT_BOOL, TEXT, Strict


class NewRoutedJob(Strict):
    """One part to route across makers: what it needs, where it goes, by when."""

    source: str = Field("platform", min_length=1, max_length=120, pattern=TEXT)
    title: str = Field(min_length=1, max_length=120, pattern=TEXT, examples=["Bracket, 2 pcs"])
    capability: Label = Field(examples=["fdm-print"])
    material: Label = Field(examples=["PLA"])
    colour: Label = Field(examples=["black"])
    size: BuildVolume
    tolerance_mm: Tolerance
    machine_hours: Annotated[float, NOT_BOOL] = Field(gt=0, le=1000)
    volume_cm3: Annotated[float, NOT_BOOL] = Field(ge=0, le=10**6)
    customer_country: Country
    due_at: AwareDatetime


class OfferDecline(Strict):
    reason: str = Field(min_length=3, max_length=500, pattern=TEXT)


def _given(field: str, kind: str) -> dict[str, Any]:
    """A schema clause: ``field`` is sent, and not null."""
    return {"required": [field], "properties": {field: {"type": kind}}}


class OfferCounter(Strict):
    """Another price or another ready date (or both), within the offer's bounds."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [_given("price", "integer"), _given("ready_at", "string")]},
    )

    price: Annotated[int, Field(gt=0, le=10**10), NOT_BOOL] | None = None
    ready_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _something(self) -> OfferCounter:
        if self.price is None and self.ready_at is None:
            raise ValueError("give a price, a ready date or both")
        return self


class OfferOut(BaseModel):
    id: str
    job_id: str
    title: str
    capability: str
    material: str
    colour: str
    size: BuildVolume
    machine_hours: float
    machine_id: str
    machine_code: str
    price: int
    price_text: str
    max_price: int = Field(description="The highest price a counter-offer may ask")
    ready_at: datetime
    ship_by: datetime = Field(description="The latest ready date a counter-offer may give")
    state: str
    reason: str
    offered_at: datetime
    expires_at: datetime
    answered_at: datetime | None


class MakerReason(BaseModel):
    maker_id: str
    display_name: str
    rank: int | None = Field(description="The place in the offer order; null: filtered out")
    price: int | None
    ready_at: datetime | None
    reason: str
    offer_state: str | None = Field(description="How the maker answered, if offered")


#: Where a routed job stands: a maker holds an open offer, one took it, or none could.
JobState = Literal["offered", "accepted", "unplaced"]


class RoutedJobOut(BaseModel):
    id: str
    source: str
    title: str
    capability: str
    material: str
    colour: str
    size: BuildVolume
    machine_hours: float
    volume_cm3: float
    customer_country: str
    due_at: datetime
    state: str
    created_at: datetime
    reasons: list[MakerReason]
