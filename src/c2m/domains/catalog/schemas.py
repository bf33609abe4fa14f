"""Catalog input and output."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from c2m.domains.platform.schemas import Strict


class NewProduct(Strict):
    slug: str = Field(min_length=2, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    unit_price: int = Field(ge=0, le=100_000_000, description="Price in cents.")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    enterprise_id: str
    slug: str
    name: str
    description: str
    unit_price: int
    currency: str
    active: bool
