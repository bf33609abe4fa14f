"""After delivery: the customer's answer to one question, and what a maker's customers say."""

from __future__ import annotations

from fastapi import APIRouter

from c2m.domains.insights import feedback
from c2m.domains.insights.nps import NetPromoter
from c2m.domains.insights.schemas import (
    EnterpriseFeedback,
    FeedbackOut,
    NetPromoterOut,
    Rating,
)
from c2m.kernel.errors import NotFound
from c2m.web.auth import OrdersRead, OrdersWrite, PlatformDep
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["feedback"], responses=problem_responses(401, 404))


def net_promoter_out(figures: NetPromoter) -> NetPromoterOut:
    return NetPromoterOut(
        score=figures.score,
        answers=figures.answers,
        asked=figures.asked,
        response_rate=figures.response_rate,
        promoters=figures.promoters,
        passives=figures.passives,
        detractors=figures.detractors,
    )


@router.put(
    "/orders/{order_id}/feedback",
    response_model=FeedbackOut,
    responses=problem_responses(409, 413, 422),
)
def rate_order(
    platform: PlatformDep, order_id: str, body: Rating, actor: OrdersWrite
) -> FeedbackOut:
    """How likely you are to recommend the maker of a delivered order (0-10), and why; sending
    again changes the answer."""
    with platform.db.write() as session:
        return FeedbackOut.model_validate(feedback.rate(session, actor, order_id, body))


@router.get("/orders/{order_id}/feedback", response_model=FeedbackOut)
def get_order_feedback(platform: PlatformDep, order_id: str, actor: OrdersRead) -> FeedbackOut:
    with platform.db.read() as session:
        found = feedback.of_order(session, actor, order_id)
        if found is None:
            raise NotFound("This order has not been rated.")
        return FeedbackOut.model_validate(found)


@router.get("/enterprises/{enterprise_id}/feedback", response_model=EnterpriseFeedback)
def list_enterprise_feedback(
    platform: PlatformDep, enterprise_id: str, actor: OrdersRead
) -> EnterpriseFeedback:
    """The micro-enterprise's Net Promoter Score and its latest answers (members only)."""
    with platform.db.read() as session:
        figures = feedback.enterprise_net_promoter(session, actor, enterprise_id)
        latest = feedback.latest(session, actor, enterprise_id)
        return EnterpriseFeedback(
            net_promoter=net_promoter_out(figures),
            latest=[FeedbackOut.model_validate(f) for f in latest],
        )


@router.get(
    "/enterprises/{enterprise_id}/feedback/answers",
    response_model=list[FeedbackOut],
    responses=PAGED,
)
def list_enterprise_feedback_answers(
    platform: PlatformDep, enterprise_id: str, actor: OrdersRead, page: Paging
) -> list[FeedbackOut]:
    """Every answer, oldest first, to follow them all (members only)."""
    with platform.db.read() as session:
        found = feedback.page_answers(session, actor, enterprise_id, page.window)
        return page.answer(found, FeedbackOut.model_validate)
