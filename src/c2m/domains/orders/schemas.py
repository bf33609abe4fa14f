"""Order input and output."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from c2m.domains.orders.payments import TEST_METHODS
from c2m.domains.orders.states import OrderState
from c2m.kernel.limits import MAX_LINES, MAX_OPTIONS, MAX_QUANTITY
from c2m.kernel.schemas import NOT_BOOL, OptionName, OptionValue, Strict


class NewLine(Strict):
    product_id: str = Field(min_length=1, max_length=32)
    quantity: Annotated[int, NOT_BOOL] = Field(
        ge=1, le=MAX_QUANTITY, description="Units of this product (1 to 10,000)."
    )
    configuration: dict[OptionName, OptionValue] = Field(
        default_factory=dict, description='The chosen options, e.g. {"colour": "blue"}.'
    )

    @field_validator("configuration")
    @classmethod
    def _not_too_many(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_OPTIONS:
            raise ValueError(f"a configuration may have at most {MAX_OPTIONS} options")
        return value


class NewOrder(Strict):
    lines: list[NewLine] = Field(min_length=1, max_length=MAX_LINES)


PaymentMethod = Literal["test-ok", "test-decline", "test-delayed", "test-delayed-fail"]
assert set(PaymentMethod.__args__) == set(TEST_METHODS)  # type: ignore[attr-defined]


class Versioned(Strict):
    expected_version: Annotated[int | None, NOT_BOOL] = Field(
        None, ge=1, le=2**31 - 1, description="Refuse with 409 if the order has changed since."
    )


class Pay(Versioned):
    payment_method: PaymentMethod = Field(
        description="The built-in test provider: "
        + "; ".join(f"{k} {v}" for k, v in TEST_METHODS.items())
    )


class Cancel(Versioned):
    reason: str = Field("", max_length=500)


class Advance(Versioned):
    to: OrderState
    note: str = Field("", max_length=500)


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: str
    product_name: str
    quantity: int
    unit_price: int
    configuration: dict[str, Any]
    template_id: str | None = None
    template_version: int | None = None
    pricing: dict[str, Any] | None = Field(None, description="Price and lead time as designed.")
    routing: list[dict[str, Any]] | None = Field(None, description="Operations that make it.")


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    customer_id: str
    enterprise_id: str
    state: OrderState
    currency: str
    total: int
    captured: int
    refunded: int
    progress: int
    version: int
    last_seq: int
    created_at: datetime
    lines: list[LineOut]


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    type: str
    state: OrderState
    progress: int
    at: datetime
    actor: str = Field(
        description="Who did it: a person's name, or the system, machine or provider; left empty "
        "on a shared order's timeline."
    )
    data: dict[str, Any]


def as_shared(event: dict[str, Any]) -> dict[str, Any]:
    """A timeline event as a share link's holder sees it: what happened and when, not who did
    it (the customer's or a staff member's name is personal data)."""
    return {**event, "actor": ""}


class ShareLink(BaseModel):
    url: str
    token: str
