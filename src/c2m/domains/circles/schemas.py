"""What circles accept and return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from c2m.domains.catalog.schemas import Choices
from c2m.domains.circles.models import BatchStatus, Visibility
from c2m.kernel.schemas import NOT_BOOL, TEXT, Id, Strict

MAX_THRESHOLD = 100_000
Author = Annotated[
    str, Field(description='The caller\'s name on their own, others as "Member 3" (privacy).')
]


class NewCircle(Strict):
    template_id: Id
    title: str = Field(min_length=1, max_length=120, pattern=TEXT)
    description: str = Field("", max_length=5000, pattern=r"^[^\x00]*$")
    visibility: Visibility = Visibility.PUBLIC


class CircleOut(BaseModel):
    id: str
    enterprise_id: str
    template_id: str
    title: str
    description: str
    visibility: Visibility
    locked: bool
    members: int
    is_member: bool = Field(description="Whether the caller has joined.")
    is_owner: bool = Field(description="Whether the caller may moderate and aggregate.")
    created_at: datetime


class NewDemand(Strict):
    configuration: Choices = Field(
        default_factory=dict,
        max_length=60,
        description="The options you care about, e.g. {'sleeve': 655}; the others stay open.",
    )
    words: str = Field("", max_length=2000, pattern=r"^[^\x00]*$")


class DemandOut(BaseModel):
    id: str
    author: Author
    mine: bool
    configuration: dict[str, Any]
    words: str
    picture_url: str | None
    hidden: bool
    votes: int
    followers: int
    voted: bool
    followed: bool
    created_at: datetime


class NewComment(Strict):
    text: str = Field(min_length=1, max_length=2000, pattern=TEXT)


class CommentOut(BaseModel):
    id: str
    item_id: str
    author: Author
    text: str
    hidden: bool
    created_at: datetime


class ReactionOut(BaseModel):
    item_id: str
    votes: int
    followers: int


class Hide(Strict):
    hidden: bool


class Lock(Strict):
    locked: bool


class NewAggregation(Strict):
    """``k`` models when given; otherwise the fewest models reaching ``coverage``."""

    k: Annotated[int | None, NOT_BOOL] = Field(
        None, ge=1, le=50, description="Models wanted (at most one per demand); wins over coverage"
    )
    coverage: float = Field(
        0.8, gt=0, le=1, description="Share of the demand within tolerance of its model"
    )


class RunOut(BaseModel):
    id: str
    models: int
    coverage: float
    demands: int
    created_at: datetime


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    proposal_id: str
    threshold: int
    deadline: datetime
    status: BatchStatus
    paid: int = Field(description="Paid pre-orders so far")
    design_id: str | None


class YourModel(BaseModel):
    demand_id: str
    within_tolerance: bool
    summary: str = Field(description='What differs, e.g. "sleeve +8 mm, collar as you asked".')


class ProposalOut(BaseModel):
    id: str
    position: int
    configuration: dict[str, Any]
    demands: int
    covered_share: float
    hidden: bool
    votes: int
    voted: bool
    yours: list[YourModel] = Field(description="The caller's demands this model is for")
    batch: BatchOut | None
    created_at: datetime = Field(description="When the aggregation run that made it was stored")


class NewBatch(Strict):
    threshold: Annotated[int, NOT_BOOL] = Field(ge=1, le=MAX_THRESHOLD)
    deadline: AwareDatetime = Field(description="With a time zone; refunds follow if not reached")
