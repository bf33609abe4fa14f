"""Pre-order batches: like crowdfunding, a proposal is made once enough people paid for it.

A pre-order is an ordinary order of the template's product with the proposal's configuration,
paid through the usual payment flow; it is placed ``awaits_release`` (order state the planner
reads), which keeps it out of production until :func:`settle_batches` releases the batch (and
``orders.service.release`` clears it), or expires it and gives every payment back. Settling
moves a batch out of ``open`` with a conditional UPDATE, so two settlers running at once (two
processes, two threads) act on each batch exactly once.

A released batch is made as one work order of all its paid pre-orders' pieces, in the factory
of the circle's micro-enterprise: one model, so one routing for N pieces, and N units, each
its pre-order's (``planning.work_orders``, ``traceability.serials``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from c2m.domains.catalog import templates
from c2m.domains.catalog.models import Design, Product
from c2m.domains.circles import service
from c2m.domains.circles.models import (
    AggregationRun,
    BatchStatus,
    Circle,
    Preorder,
    PreorderBatch,
    Proposal,
)
from c2m.domains.circles.schemas import BatchOut, NewBatch
from c2m.domains.orders import service as orders
from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.events import batch as batch_event
from c2m.domains.orders.models import Order
from c2m.domains.orders.payments import PaymentProvider
from c2m.domains.orders.placement import PreparedOrder, PricedLine, prepare_lines
from c2m.domains.orders.schemas import Cancel
from c2m.domains.orders.states import CANCELLABLE, OrderState
from c2m.domains.planning import work_orders
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import MemberRole
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, InvalidInput, NotFound
from c2m.kernel.ids import new_secret

log = logging.getLogger(__name__)
SETTLER = "Pre-order batch"  # the actor named on timelines


def paid_preorders(batch_id: str) -> Select[int]:
    """How many pre-orders of the batch hold money (paid and not given back)."""
    return (
        select(func.count())
        .select_from(Preorder)
        .join(Order, Order.id == Preorder.order_id)
        .where(Preorder.batch_id == batch_id, Order.captured > Order.refunded)
    )


def batch_out(session: Session, batch: PreorderBatch) -> BatchOut:
    paid = session.scalar(paid_preorders(batch.id)) or 0
    return BatchOut.model_validate({**batch.column_values(), "paid": paid})


def _proposal(session: Session, actor: Actor, proposal_id: str) -> tuple[Circle, Proposal]:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("There is no such proposal.")
    circle = service.load_circle(session, actor, proposal.circle_id)
    if proposal.hidden and not actor.is_owner_of(circle.enterprise_id):
        raise NotFound("There is no such proposal.")
    return circle, proposal


def open_batch(session: Session, actor: Actor, proposal_id: str, data: NewBatch) -> PreorderBatch:
    """Offer a proposal for pre-order until ``deadline`` (owners only, one batch per proposal)."""
    circle, proposal = _proposal(session, actor, proposal_id)
    actor.require_owner_of(circle.enterprise_id)
    if data.deadline <= utcnow():
        raise InvalidInput("The deadline must be in the future.")
    batch = PreorderBatch(
        circle_id=circle.id,
        proposal_id=proposal.id,
        threshold=data.threshold,
        deadline=data.deadline,
        status=BatchStatus.OPEN,
        created_by=actor.user_id,
    )
    session.add(batch)
    service.flush_unique(session, "This proposal already has a pre-order batch.")
    return batch


def prepare_preorder(session: Session, actor: Actor, batch_id: str) -> PreparedOrder:
    """An order of one piece of the proposal, priced from the template version it was made with.

    Read-only, so the write transaction only inserts (``orders.placement.place``, then
    :func:`join_batch`).
    """
    batch = session.get(PreorderBatch, batch_id)
    if batch is None:
        raise NotFound("There is no such pre-order batch.")
    circle = service.joined_circle(session, actor, batch.circle_id, adding=False)
    _require_open(batch)
    proposal = session.get(Proposal, batch.proposal_id)
    assert proposal is not None
    run = session.get(AggregationRun, proposal.run_id)
    assert run is not None
    loaded = templates.load(session, actor, circle.template_id, run.template_version)
    product = session.get(Product, loaded.template.product_id)
    assert product is not None
    result = templates.priced(loaded.compiled, proposal.configuration, 1)
    line = PricedLine(
        product=product,
        quantity=1,
        unit_price=result.price.discounted_unit_price,
        configuration=result.configuration,
        template_id=loaded.template.id,
        template_version=run.template_version,
        pricing={"batch_id": batch.id, **result.pricing_json()},
        routing=result.routing_json(),
        bill=result.bill_json(),
    )
    return prepare_lines(actor, [line], awaits_release=True)


def _require_open(batch: PreorderBatch) -> None:
    if batch.status is not BatchStatus.OPEN or batch.deadline <= utcnow():
        raise Conflict("This pre-order batch is closed: it was released or its deadline passed.")


def join_batch(session: Session, actor: Actor, batch_id: str, order_id: str) -> None:
    """In the new order's transaction: mark it a pre-order of the batch, if the batch is still
    open (row locked, so a settler and a late pre-order never both win)."""
    batch = session.get(PreorderBatch, batch_id, with_for_update=True)
    assert batch is not None
    _require_open(batch)
    session.add(Preorder(order_id=order_id, batch_id=batch.id, user_id=actor.user_id))
    session.flush()


@dataclass(frozen=True)
class Settled:
    batch_id: str
    status: BatchStatus
    orders: int


def settle_batches(session: Session, now: datetime, provider: PaymentProvider) -> list[Settled]:
    """Release every open batch with enough paid pre-orders; expire (and refund) every open
    batch past its deadline without. Idempotent: a settled batch is never touched again."""
    due = select(PreorderBatch).where(PreorderBatch.status == BatchStatus.OPEN)
    settled = []
    for batch in list(session.scalars(due)):
        paid = session.scalar(paid_preorders(batch.id)) or 0
        if paid >= batch.threshold:
            target = BatchStatus.RELEASED
        elif batch.deadline <= now:
            target = BatchStatus.EXPIRED
        else:
            continue
        if not _claim(session, batch.id, target, now):
            continue  # another settler got there first
        session.refresh(batch)
        touched = _release(session, batch) if target is BatchStatus.RELEASED else 0
        if target is BatchStatus.EXPIRED:
            touched = _expire(session, batch, provider)
        settled.append(Settled(batch.id, target, touched))
    return settled


def _claim(session: Session, batch_id: str, target: BatchStatus, now: datetime) -> bool:
    """Move the batch out of ``open``; only one of concurrent settlers sees a row change."""
    moved = session.execute(
        update(PreorderBatch)
        .where(PreorderBatch.id == batch_id, PreorderBatch.status == BatchStatus.OPEN)
        .values(status=target, settled_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def _participants(session: Session, batch: PreorderBatch) -> list[Order]:
    query = (
        select(Order)
        .join(Preorder, Preorder.order_id == Order.id)
        .where(Preorder.batch_id == batch.id)
        .order_by(Order.id)
        .with_for_update()
    )
    return list(session.scalars(query))


def _release(session: Session, batch: PreorderBatch) -> int:
    """Every participant's timeline says so; the model becomes a saved design (the variant);
    the paid pre-orders become one work order."""
    proposal = session.get(Proposal, batch.proposal_id)
    circle = session.get(Circle, batch.circle_id)
    assert proposal is not None
    assert circle is not None
    run = session.get(AggregationRun, proposal.run_id)
    assert run is not None
    design = Design(
        owner_id=batch.created_by,
        template_id=circle.template_id,
        version=run.template_version,
        name=f"{circle.title[:100]} · model {proposal.position + 1}",
        configuration=proposal.configuration,
        quantity=1,
        share_key=new_secret(16),  # listed on the product page: anyone may open and order it
    )
    session.add(design)
    session.flush()
    batch.design_id = design.id
    participants = [o for o in _participants(session, batch) if o.state not in _CLOSED]
    for order in participants:
        orders.release(
            session,
            order,
            actor=SETTLER,
            batch_id=batch.id,
            circle=circle.title,
            threshold=batch.threshold,
        )
    paid = [order for order in participants if order.state is OrderState.PAID]
    _open_work_order(session, circle, paid)
    session.flush()
    return len(participants)


def _open_work_order(session: Session, circle: Circle, paid: list[Order]) -> None:
    """One work order making every paid pre-order's piece, routed for all of them at once (as
    an order of that many pieces is). A pre-order paid after the release is made on its own:
    the planner opens its work order as for any paid order; so does it for all of them when
    the micro-enterprise has no factory yet."""
    if not paid:
        return
    factory_id = work_orders.first_factory(session, circle.enterprise_id)
    if factory_id is None:
        log.warning("a batch of circle %s waits: its enterprise has no factory", circle.id)
        return
    lines = [line for order in paid for line in order.lines]
    model = lines[0]
    assert model.template_id is not None  # a pre-order is made from the circle's template
    loaded = templates.load(session, _settler(circle), model.template_id, model.template_version)
    quantity = sum(line.quantity for line in lines)
    steps = templates.priced(loaded.compiled, model.configuration or {}, quantity).routing_json()
    work_orders.open_work_order(session, lines, factory_id, steps, outside_round=True)


def _settler(circle: Circle) -> Actor:
    """The settler acts for the circle's micro-enterprise, as its owner."""
    return Actor(
        user_id="",
        email="",
        name=SETTLER,
        memberships={circle.enterprise_id: MemberRole.OWNER},
    )


_CLOSED = frozenset({OrderState.CANCELLED, OrderState.REFUNDED})


def released_variants(session: Session, template_id: str) -> list[Design]:
    """The models of released batches of a template: its catalog variants, newest first."""
    query = (
        select(Design)
        .join(PreorderBatch, PreorderBatch.design_id == Design.id)
        .where(Design.template_id == template_id, Design.share_key.is_not(None))
        .order_by(Design.created_at.desc())
    )
    return list(session.scalars(query))


def _expire(session: Session, batch: PreorderBatch, provider: PaymentProvider) -> int:
    """Every participant's order says so and is cancelled; what was paid is given back once."""
    circle = session.get(Circle, batch.circle_id)
    assert circle is not None
    settler = _settler(circle)
    reason = f"the pre-order batch of {circle.title[:200]} did not reach {batch.threshold} in time"
    participants = [o for o in _participants(session, batch) if o.state not in _CLOSED]
    for order in participants:
        expired = batch_event(OrderEventType.BATCH_EXPIRED, batch.id, circle.title, batch.threshold)
        orders.note(session, order, expired, actor=SETTLER)
        if order.state in CANCELLABLE:
            orders.cancel(session, settler, order.id, Cancel(reason=reason), provider)
    session.flush()
    return len(participants)
