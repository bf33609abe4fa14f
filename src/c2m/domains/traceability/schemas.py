"""What the API says of made units."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from c2m.domains.orders.schemas import OrderOut


class UnitOut(BaseModel):
    serial: str = Field(description="Printed on the unit's label; unique on the platform.")
    number: int = Field(
        description="Which piece of its work order (1..quantity): a pre-order batch's pieces "
        "are numbered across the batch."
    )
    line_id: str
    started_at: datetime = Field(description="When work on it started.")
    passport_url: str = Field(
        description="The unit's passport: its signed credential with `Accept: application/json`, "
        "a page otherwise."
    )


class OrderWithUnitsOut(OrderOut):
    units: list[UnitOut] = Field(
        description="The pieces being made or made, each with its serial; empty until work starts."
    )
