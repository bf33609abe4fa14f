"""What quoting accepts and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from c2m.engines.costing.leadtime import Tier
from c2m.engines.costing.tables import Process
from c2m.engines.geometry.units import Unit
from c2m.kernel.limits import MAX_QUANTITY
from c2m.kernel.schemas import NOT_BOOL, TEXT, Id, Strict


class UploadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    filename: str = Field(description="The file's name on the sender's computer (shown only).")
    size: int
    status: str = Field(description="analysed, or refused with a reason")
    format: str | None
    analysis: dict[str, Any] | None = Field(description="Dimensions in mm, volume in mm3, checks.")
    refusal_code: str | None
    refusal: str | None
    thumbnail_url: str | None
    created_at: datetime


class ConfirmUnit(Strict):
    unit: Unit = Field(description="The unit the file was drawn in; the part is analysed again.")


class QuoteRequest(Strict):
    upload_id: Id
    process: Process = Process.FDM
    material: str = Field("PLA", min_length=1, max_length=60, pattern=TEXT)
    quantity: Annotated[int, NOT_BOOL] = Field(1, ge=1, le=MAX_QUANTITY)


class FindingOut(BaseModel):
    rule: str
    severity: str
    message: str
    reason: str


class PriceBreakOut(BaseModel):
    quantity: int
    unit_price: int = Field(description="Minor units (cents) per part")
    total: int


class TierOut(BaseModel):
    tier: Tier
    unit_price: int
    total: int
    ready_at: datetime
    ship_date: date


class QuoteOut(BaseModel):
    id: str
    upload_id: str
    enterprise_id: str
    process: Process
    material: str
    quantity: int
    currency: str
    manual_review: bool = Field(description="A person must look at the part: no instant price.")
    unit_price: int | None
    total: int | None
    findings: list[FindingOut]
    breaks: list[PriceBreakOut]
    tiers: list[TierOut]
    valid_until: datetime
    order_id: str | None
    created_at: datetime


class QuoteOrder(Strict):
    quote_ids: list[Id] = Field(min_length=1, max_length=5, description="Quotes to order together")
    tier: Tier = Tier.STANDARD


class NewRfq(Strict):
    enterprise_id: Id
    upload_ids: list[Id] = Field(min_length=1, max_length=5)
    message: str = Field(min_length=1, max_length=5000, pattern=TEXT)


class RfqAnswer(Strict):
    message: str = Field(min_length=1, max_length=5000, pattern=TEXT)
    price: Annotated[int | None, NOT_BOOL] = Field(
        None, ge=0, le=10**11, description="Price of the whole request in minor units"
    )
    ship_date: date | None = None


class RfqOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    owner_id: str
    enterprise_id: str
    message: str
    upload_ids: list[str]
    status: str
    answer: str | None
    answer_price: int | None
    answer_ship_date: date | None
    answered_at: datetime | None
    created_at: datetime


class Fulfilment(Strict):
    """Who makes the parts ordered from a quoting service."""

    to_makers: StrictBool = Field(
        description="true: each ordered part is routed to independent makers and made in the "
        "workshop of the one who accepts it; false: made in the micro-enterprise's factory."
    )


class QuotingServiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enterprise_id: str
    product_id: str
    to_makers: bool
