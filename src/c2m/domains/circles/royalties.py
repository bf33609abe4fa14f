"""Who co-designed what an order makes, and how much each shaped it: the weights of the
co-design royalty (docs/ledger.md).

An order is of a circle's model when it is a pre-order of the model's batch, or an order of the
design a released batch saved (the catalog variant). The model's co-designers are the authors of
the demands its aggregation run gave it (hidden demands left out): each weighs one per such
demand plus one per vote those demands received.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, CompoundSelect, Select, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from c2m.domains.circles.models import (
    AggregationRun,
    Circle,
    Demand,
    Preorder,
    PreorderBatch,
    Proposal,
    Reaction,
    ReactionKind,
)
from c2m.domains.orders.models import OrderLine


@dataclass(frozen=True)
class Contribution:
    user_id: str
    demands: int  # of theirs the model covers
    votes: int  # received by those demands

    @property
    def weight(self) -> int:
        return self.demands + self.votes


@dataclass(frozen=True)
class Model:
    """A circle's model an order makes, and who shaped it."""

    circle_id: str
    circle_title: str
    proposal_id: str
    number: int  # "model 2" of its run, as the circle's pages call it
    batch_id: str
    contributions: list[Contribution]


def _designs_ordered(session: Session, order_ids: Collection[str]) -> dict[str, set[str]]:
    """The saved designs each order's lines were ordered from (kept in the line's pricing)."""
    found: dict[str, set[str]] = {}
    rows = session.execute(
        select(OrderLine.order_id, OrderLine.pricing).where(OrderLine.order_id.in_(order_ids))
    )
    for row in rows:
        if row.pricing and row.pricing.get("design_id"):
            found.setdefault(row.order_id, set()).add(str(row.pricing["design_id"]))
    return found


def batch_of_order(session: Session, order_id: str) -> PreorderBatch | None:
    """The batch whose model the order makes: its pre-order batch, or the released batch
    whose saved design it orders."""
    design_ids = list(_designs_ordered(session, [order_id]).get(order_id, ()))
    preorder = select(Preorder.batch_id).where(Preorder.order_id == order_id)
    query = select(PreorderBatch).where(
        or_(PreorderBatch.id.in_(preorder), PreorderBatch.design_id.in_(design_ids))
    )
    return session.scalars(query.limit(1)).first()


def _preorders() -> Select[str, str]:
    """(order, circle) of the pre-orders of circles' batches."""
    return select(Preorder.order_id, PreorderBatch.circle_id).join(
        PreorderBatch, PreorderBatch.id == Preorder.batch_id
    )


def _released(line: type[OrderLine]) -> Select[str, str]:
    """(order, circle) of the order lines of a design a released batch saved."""
    design_id = line.pricing["design_id"].as_string()
    return select(line.order_id, PreorderBatch.circle_id).join(
        PreorderBatch, PreorderBatch.design_id == design_id
    )


def circle_orders() -> CompoundSelect[str, str]:
    """(order, circle) of every order that makes a circle's model: for "which of these orders"
    over many orders, read once."""
    return union(_preorders(), _released(OrderLine))


def circle_of(order_id: ColumnElement[str]) -> ColumnElement[str | None]:
    """In a query over orders: the circle whose model the order ``order_id`` makes, else NULL;
    one search by the order's id, so it costs no more as circles grow. An order of two
    circles' models is its pre-order's, or the first found."""
    line = aliased(OrderLine)  # not the line an enclosing query may read
    preorder = _preorders().where(Preorder.order_id == order_id)
    released = _released(line).where(line.order_id == order_id)
    return func.coalesce(
        preorder.with_only_columns(PreorderBatch.circle_id).limit(1).scalar_subquery(),
        released.with_only_columns(PreorderBatch.circle_id).limit(1).scalar_subquery(),
    )


def co_designed(session: Session, order_ids: Collection[str]) -> set[str]:
    """Those of the orders that make a circle's model (the ones that pay a royalty)."""
    orders = circle_orders().subquery()
    return set(session.scalars(select(orders.c.order_id).where(orders.c.order_id.in_(order_ids))))


def contributions(session: Session, proposal: Proposal) -> list[Contribution]:
    """The model's co-designers with their weights, in a fixed order (by user id)."""
    run = session.get(AggregationRun, proposal.run_id)
    assert run is not None
    ids = [
        demand_id
        for demand_id, assigned in run.assignments.items()
        if assigned["model"] == proposal.position
    ]
    authors: dict[str, str] = {
        row.id: row.author_id
        for row in session.execute(
            select(Demand.id, Demand.author_id).where(Demand.id.in_(ids), Demand.hidden.is_(False))
        )
    }
    votes: dict[str, int] = {
        row.item_id: int(row.votes)
        for row in session.execute(
            select(Reaction.item_id, func.count().label("votes"))
            .where(Reaction.item_id.in_(list(authors)), Reaction.kind == ReactionKind.VOTE)
            .group_by(Reaction.item_id)
        )
    }
    demands, received = Counter(authors.values()), Counter[str]()
    for demand_id, author in authors.items():
        received[author] += votes.get(demand_id, 0)
    return [Contribution(user, demands[user], received[user]) for user in sorted(demands)]


def model_of_order(session: Session, order_id: str) -> Model | None:
    """The circle's model the order makes, with its co-designers; None for any other order."""
    batch = batch_of_order(session, order_id)
    if batch is None:
        return None
    proposal = session.get(Proposal, batch.proposal_id)
    circle = session.get(Circle, batch.circle_id)
    assert proposal is not None
    assert circle is not None
    return Model(
        circle.id,
        circle.title,
        proposal.id,
        proposal.position + 1,
        batch.id,
        contributions(session, proposal),
    )
