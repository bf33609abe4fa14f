"""Asking after delivery: the customer answers one question and may change their answer; the
micro-enterprise's members read the answers and its Net Promoter Score."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.insights.models import Feedback
from c2m.domains.insights.nps import NetPromoter, net_promoter
from c2m.domains.insights.schemas import Rating
from c2m.domains.orders.models import Order
from c2m.domains.orders.service import load_order
from c2m.domains.orders.states import OrderState
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import Conflict, NotFound
from c2m.kernel.keyset import Window, select_page
from c2m.kernel.problem_types import ProblemCode


def _own_delivered(session: Session, actor: Actor, order_id: str) -> Order:
    order = load_order(session, actor, order_id)
    if order.customer_id != actor.user_id:
        raise NotFound("There is no such order, or it is not yours.")
    if order.state is not OrderState.DELIVERED:
        raise Conflict(
            "You can rate an order once it has been delivered.",
            code=ProblemCode.STATE_DOES_NOT_ALLOW,
        )
    return order


def rate(session: Session, actor: Actor, order_id: str, rating: Rating) -> Feedback:
    """Record (or change) the customer's answer for a delivered order."""
    order = _own_delivered(session, actor, order_id)
    feedback = session.scalar(select(Feedback).where(Feedback.order_id == order.id))
    if feedback is None:
        feedback = Feedback(
            order_id=order.id, customer_id=actor.user_id, enterprise_id=order.enterprise_id
        )
        session.add(feedback)
    feedback.score = rating.score
    feedback.comment = rating.comment.strip()
    session.flush()
    return feedback


def of_order(session: Session, actor: Actor, order_id: str) -> Feedback | None:
    """The answer given for an order its customer or its makers may see."""
    order = load_order(session, actor, order_id)
    return session.scalar(select(Feedback).where(Feedback.order_id == order.id))


def latest(session: Session, actor: Actor, enterprise_id: str, limit: int = 20) -> list[Feedback]:
    actor.require_member_of(enterprise_id)
    query = (
        select(Feedback)
        .where(Feedback.enterprise_id == enterprise_id)
        .order_by(Feedback.updated_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def page_answers(
    session: Session, actor: Actor, enterprise_id: str, window: Window
) -> list[Feedback]:
    """One page of every answer the micro-enterprise's customers gave, oldest first; a changed
    answer counts as changed at ``updated_at``."""
    actor.require_member_of(enterprise_id)
    query = select(Feedback).where(Feedback.enterprise_id == enterprise_id)
    page = select_page(query, window, Feedback.created_at, Feedback.id, Feedback.updated_at)
    return list(session.scalars(page))


def enterprise_net_promoter(session: Session, actor: Actor, enterprise_id: str) -> NetPromoter:
    actor.require_member_of(enterprise_id)
    scores = session.scalars(select(Feedback.score).where(Feedback.enterprise_id == enterprise_id))
    delivered = session.scalar(
        select(func.count())
        .select_from(Order)
        .where(Order.enterprise_id == enterprise_id, Order.state == OrderState.DELIVERED)
    )
    return net_promoter(scores, delivered or 0)
