"""What the materials domain accepts and answers: materials as a micro-enterprise describes
them, their stock per factory with what to buy, and lots received or on their way.

Quantities are JSON numbers in the material's unit, kept to thousandths (``exact``)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from c2m.kernel.schemas import NOT_BOOL, VISIBLE, Strict

Quantity = Annotated[float, Field(ge=0, le=10**9, allow_inf_nan=False), NOT_BOOL]
MATERIAL_KEY = r"^[a-z0-9][a-z0-9.-]{0,59}$"


class MaterialIn(Strict):
    """A material or component the micro-enterprise stocks under the key its templates' bills
    of materials name."""

    name: str = Field(min_length=1, max_length=300, pattern=VISIBLE)
    unit: str = Field(min_length=1, max_length=20, pattern=VISIBLE, examples=["m²", "kg", "pcs"])
    reorder_point: Quantity = Field(
        0, description="Buy when a factory's free stock falls below this"
    )
    reorder_quantity: Quantity = Field(0, description="Buy at least this much at once")
    lead_days: Annotated[int, NOT_BOOL] = Field(
        7, ge=0, le=365, description="The supplier's days from order to dock"
    )
    supplier: str = Field("", max_length=120, pattern=r"^[^\x00]*$")


def exact(quantity: float) -> Decimal:
    """A quantity as the stock keeps it: to thousandths, half up."""
    return Decimal(repr(quantity)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


class LotIn(Strict):
    """A delivery received now, or (with ``arriving``) a purchase placed that docks then."""

    factory_id: str = Field(min_length=1, max_length=32)
    quantity: Quantity = Field(gt=0)
    code: str = Field(
        min_length=1, max_length=60, pattern=VISIBLE, description="The supplier's lot number"
    )
    arriving: datetime | None = Field(None, description="When a purchase docks (future)")


class LevelOut(BaseModel):
    """A material's stock in one factory, and what to buy now."""

    factory_id: str
    on_hand: float
    on_order: float
    reserved: float = Field(description="Held for work, on hand or on its way")
    short: float = Field(description="Needed by work that no stock covers yet")
    free: float = Field(description="On hand and on order, less reserved and short")
    buy: float | None = Field(description="The suggested purchase, if one is due")
    buy_arrives: datetime | None


class MaterialOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    unit: str
    reorder_point: float
    reorder_quantity: float
    lead_days: int
    supplier: str
    levels: list[LevelOut]


class LotOut(BaseModel):
    id: str
    material: str = Field(description="The material's key")
    factory_id: str
    code: str
    quantity: float
    remaining: float
    expected_at: datetime
    arrived_at: datetime | None
