"""What the insights domain accepts and returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from c2m.kernel.schemas import Strict


class Rating(Strict):
    score: int = Field(
        ge=0, le=10, description="How likely you are to recommend them to a friend (0-10)."
    )
    comment: str = Field("", max_length=2000, description="What made you give that score.")


class FeedbackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_id: str
    enterprise_id: str
    score: int
    comment: str
    created_at: datetime
    updated_at: datetime


class NetPromoterOut(BaseModel):
    score: int | None = Field(description="-100 to 100; null below 5 answers (not enough data).")
    answers: int
    asked: int = Field(description="Delivered orders whose customers could answer.")
    response_rate: float | None
    promoters: int
    passives: int
    detractors: int


class EnterpriseFeedback(BaseModel):
    net_promoter: NetPromoterOut
    latest: list[FeedbackOut]


class MeasureOut(BaseModel):
    name: str
    value: float | None = Field(description="A share (0-1), a score or growth; null: no data.")
    sample: int = Field(description="Orders, answers or minor units of money it rests on.")
    asked: int | None = Field(
        None, description="For the net promoter score: delivered orders whose customers were asked."
    )
    response_rate: float | None = Field(None, description="sample / asked, for a survey.")
    index: float | None = Field(description="The value on the axis's 0-100 scale.")


class AxisOut(BaseModel):
    score: float | None = Field(description="0-100; null: not enough data.")
    enough: bool
    measures: list[MeasureOut]


class PreviousOut(BaseModel):
    user_value: float | None
    enterprise_value: float | None


class ScorecardPointOut(BaseModel):
    unit: str = Field(description="What the point stands for: enterprise, product or circle.")
    id: str = Field(description="The micro-enterprise's, product's or circle's id.")
    enterprise_id: str = Field(description="The micro-enterprise it is, or that it belongs to.")
    name: str
    period: str = Field(examples=["2026-12"])
    paid_orders: int
    user_value: AxisOut
    enterprise_value: AxisOut
    previous: PreviousOut


class ScorecardMonthOut(BaseModel):
    period: str = Field(examples=["2026-12"])
    points: list[ScorecardPointOut]
