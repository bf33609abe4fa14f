"""The two-dimensional scorecard (user value x enterprise value), for the platform owner and
micro-enterprise owners: one month against the one before, or every month of a year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from c2m.domains.insights.activity import UnitKind
from c2m.domains.insights.schemas import (
    AxisOut,
    MeasureOut,
    PreviousOut,
    ScorecardMonthOut,
    ScorecardPointOut,
)
from c2m.domains.insights.scorecard import Axis, Point, Row, history, scorecard
from c2m.domains.ledger import periods
from c2m.domains.ledger.periods import Period
from c2m.domains.platform.actor import Actor
from c2m.kernel.db import Database
from c2m.kernel.schemas import MONTH
from c2m.web.auth import InsightsRead, PlatformDep
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["insights"], responses=problem_responses(401, 403))
MonthQuery = Annotated[
    str | None,
    Query(pattern=MONTH, description="YYYY-MM (UTC); default: this month.", examples=["2026-12"]),
]
UnitQuery = Annotated[
    UnitKind,
    Query(
        description="Score micro-enterprises, their products, their circles or makers (the "
        "orders a maker's workshop made parts of)."
    ),
]
YearQuery = Annotated[
    int, Query(ge=1971, le=9998, description="The calendar year (UTC).", examples=[2026])
]


def period_of(text: str | None) -> Period:
    """The asked month (this one by default); a wrong one is a 422 saying how to write it."""
    return periods.parse(text, None, None)


def axis_out(axis: Axis) -> AxisOut:
    return AxisOut(
        score=axis.score,
        enough=axis.enough,
        measures=[
            MeasureOut(
                name=m.name,
                value=m.value,
                sample=m.sample,
                asked=m.asked,
                response_rate=m.sample / m.asked if m.asked else None,
                index=m.index,
            )
            for m in axis.measures
        ],
    )


def point_out(now: Point, before: Point) -> ScorecardPointOut:
    return ScorecardPointOut(
        unit=now.unit.kind.value,
        id=now.unit.id,
        enterprise_id=now.unit.enterprise_id,
        name=now.name,
        period=now.period.month or now.period.label,
        paid_orders=now.orders,
        user_value=axis_out(now.user),
        enterprise_value=axis_out(now.enterprise),
        previous=PreviousOut(
            user_value=before.user.score, enterprise_value=before.enterprise.score
        ),
    )


def year_out(db: Database, actor: Actor, year: int, unit: UnitKind) -> list[ScorecardMonthOut]:
    """Every month of ``year``, each against the month before, from one pass over the rows."""
    months = [periods.month(f"{year:04d}-{number:02d}") for number in range(1, 13)]
    with db.read() as session:
        rows: list[list[Row]] = history(session, actor, months, unit)
    return [
        ScorecardMonthOut(period=month.month or "", points=[point_out(*row) for row in points])
        for month, points in zip(months, rows, strict=True)
    ]


@router.get("/scorecard", response_model=list[ScorecardPointOut], responses=problem_responses(422))
def get_scorecard(
    platform: PlatformDep,
    actor: InsightsRead,
    period: MonthQuery = None,
    unit: UnitQuery = UnitKind.ENTERPRISE,
) -> list[ScorecardPointOut]:
    """Each unit you may see, scored for the month against the month before."""
    month = period_of(period)
    with platform.db.read() as session:
        return [point_out(*row) for row in scorecard(session, actor, month, unit)]


@router.get(
    "/scorecard/year",
    response_model=list[ScorecardMonthOut],
    responses=problem_responses(422),
)
def get_scorecard_year(
    platform: PlatformDep,
    actor: InsightsRead,
    year: YearQuery,
    unit: UnitQuery = UnitKind.ENTERPRISE,
) -> list[ScorecardMonthOut]:
    """Each unit you may see, scored for every month of the year against the month before:
    the trend month over month."""
    return year_out(platform.db, actor, year, unit)
