"""The two-dimensional scorecard (user value x enterprise value), for the platform owner and
micro-enterprise owners."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from c2m.domains.insights.schemas import (
    AxisOut,
    MeasureOut,
    PreviousOut,
    ScorecardPointOut,
)
from c2m.domains.insights.scorecard import Axis, Point, scorecard
from c2m.domains.ledger import periods
from c2m.domains.ledger.periods import Period
from c2m.kernel.schemas import MONTH
from c2m.web.auth import ApiActor, PlatformDep
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["insights"], responses=problem_responses(401, 403))
MonthQuery = Annotated[
    str | None,
    Query(pattern=MONTH, description="YYYY-MM (UTC); default: this month.", examples=["2026-12"]),
]


def period_of(text: str | None) -> Period:
    """The asked month (this one by default); a wrong one is a 422 saying how to write it."""
    return periods.parse(text, None, None)


def axis_out(axis: Axis) -> AxisOut:
    return AxisOut(
        score=axis.score,
        enough=axis.enough,
        measures=[
            MeasureOut(name=m.name, value=m.value, sample=m.sample, index=m.index)
            for m in axis.measures
        ],
    )


def point_out(now: Point, before: Point) -> ScorecardPointOut:
    return ScorecardPointOut(
        enterprise_id=now.enterprise_id,
        name=now.name,
        period=now.period.month or now.period.label,
        paid_orders=now.orders,
        user_value=axis_out(now.user),
        enterprise_value=axis_out(now.enterprise),
        previous=PreviousOut(
            user_value=before.user.score, enterprise_value=before.enterprise.score
        ),
    )


@router.get("/scorecard", response_model=list[ScorecardPointOut], responses=problem_responses(422))
def get_scorecard(
    platform: PlatformDep, actor: ApiActor, period: MonthQuery = None
) -> list[ScorecardPointOut]:
    """Each micro-enterprise you may see, scored for the month against the month before."""
    month = period_of(period)
    with platform.db.read() as session:
        return [point_out(now, before) for now, before in scorecard(session, actor, month)]
