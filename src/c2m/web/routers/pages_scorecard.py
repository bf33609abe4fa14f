"""The scorecard page: the point chart, its quadrants and each figure behind a point, for
micro-enterprises, products, circles or makers (a tab each)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from c2m.domains.insights.activity import UnitKind
from c2m.domains.insights.chart import scorecard_svg
from c2m.domains.insights.scorecard import MIN_ORDERS, scorecard
from c2m.web.auth import OptionalCaller, PlatformDep
from c2m.web.routers.api_scorecard import period_of
from c2m.web.routers.pages import signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)
TABS = (
    (UnitKind.ENTERPRISE, "Micro-enterprises"),
    (UnitKind.PRODUCT, "Products"),
    (UnitKind.CIRCLE, "Circles"),
    (UnitKind.MAKER, "Makers"),
)


@router.get("/insights/scorecard")
def scorecard_page(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    period: Annotated[str | None, Query(max_length=7)] = None,
    unit: UnitKind = UnitKind.ENTERPRISE,
) -> Response:
    actor = signed_in(request, caller).actor
    month = period_of(period or None)
    with platform.db.read() as session:
        rows = scorecard(session, actor, month, unit)
    context = {
        "rows": rows,
        "chart": scorecard_svg(rows, dict(TABS)[unit]),
        "period": month,
        "unit": unit,
        "tabs": TABS,
        "min_orders": MIN_ORDERS,
    }
    return render(request, caller, "scorecard.html", context)
