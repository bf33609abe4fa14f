"""Paid orders become work orders: one per line, its routing's steps as operations to plan (a
released pre-order batch is one work order for all its pre-orders' lines, opened by its settler,
``circles.batches``).

Found by asking the database (paid orders without work orders, work orders opened outside the
planner's round), not by remembering messages, so an order paid while the planner was down is
picked up when it comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from c2m.domains.catalog.bills import bill_of
from c2m.domains.factory.models import Factory
from c2m.domains.materials.reservations import reserve
from c2m.domains.orders.models import Order, OrderLine
from c2m.domains.orders.states import OrderState
from c2m.domains.planning.models import Operation, OperationStatus, WorkOrder, WorkOrderLine

log = logging.getLogger(__name__)

#: A catalog product without a routing of its own (no template, no quote) is assembled from
#: stock parts, checked and packed.
RUSH_TIER = "express"
DEFAULT_ROUTING = (
    ("assemble", "Assemble", "assemble", 10, ()),
    ("inspect", "Inspect", "inspect", 2, ("assemble",)),
    ("pack", "Pack", "pack", 1, ("inspect",)),
)


def routing_of(line: OrderLine) -> list[dict[str, Any]]:
    if line.routing:
        return list(line.routing)
    return [
        {
            "id": step,
            "name": name,
            "capability": capability,
            "minutes": per_unit * line.quantity,
            "predecessors": list(after),
        }
        for step, name, capability, per_unit, after in DEFAULT_ROUTING
    ]


def open_work_orders(
    session: Session, factory_id: str | None = None, limit: int = 200
) -> dict[str, str]:
    """Work orders for paid orders that have none yet (only those routed to ``factory_id`` when
    given); the factories that got new work, with why ("rush order" when an express order is
    among it), work opened outside the planner's round included. On PostgreSQL the orders taken
    are locked and others skipped, so two planners never open the same order twice."""
    touched = _take_opened(session, factory_id)
    planned = select(WorkOrderLine.order_id)
    query = (
        select(Order)
        .where(Order.state == OrderState.PAID, Order.id.not_in(planned))
        .where(Order.awaits_release.is_(False))  # a pre-order waits for its batch
        .where(Order.to_makers.is_(False))  # a maker's workshop takes it (makers.workshop_orders)
        .order_by(Order.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Order)
    )
    if factory_id is not None:
        enterprise = session.scalar(select(Factory.enterprise_id).where(Factory.id == factory_id))
        if first_factory(session, enterprise) != factory_id:
            return touched
        query = query.where(Order.enterprise_id == enterprise)
    for order in session.scalars(query):
        routed = first_factory(session, order.enterprise_id)
        if routed is None:
            log.warning("order %s waits: its micro-enterprise has no factory", order.id)
            continue
        works = [open_work_order(session, [line], routed) for line in order.lines]
        _got_work(touched, routed, rush=any(work.rush for work in works))
    session.flush()
    return touched


def _take_opened(session: Session, factory_id: str | None) -> dict[str, str]:
    """The factories of work orders opened outside the planner's round, now taken."""
    query = select(WorkOrder.factory_id, WorkOrder.rush).where(WorkOrder.awaits_planner)
    if factory_id is not None:
        query = query.where(WorkOrder.factory_id == factory_id)
    touched: dict[str, str] = {}
    for factory, rush in session.execute(query).all():
        _got_work(touched, factory, rush=rush)
    if touched:
        session.execute(
            update(WorkOrder)
            .where(WorkOrder.awaits_planner, WorkOrder.factory_id.in_(list(touched)))
            .values(awaits_planner=False)
            .execution_options(synchronize_session=False)
        )
    return touched


def _got_work(touched: dict[str, str], factory_id: str, *, rush: bool) -> None:
    """Why ``factory_id`` plans again: new work, or a rush order when one is among it."""
    if rush or factory_id not in touched:
        touched[factory_id] = "rush order" if rush else "new work"


def first_factory(session: Session, enterprise_id: str | None) -> str | None:
    """Where a micro-enterprise's orders are made: its first factory."""
    return session.scalar(
        select(Factory.id)
        .where(Factory.enterprise_id == enterprise_id)
        .order_by(Factory.created_at, Factory.id)
        .limit(1)
    )


def open_work_order(
    session: Session,
    lines: Sequence[OrderLine],
    factory_id: str,
    steps: list[dict[str, Any]] | None = None,
    *,
    outside_round: bool = False,
) -> WorkOrder:
    """Add one work order in ``factory_id`` making the pieces of ``lines`` (one model: the
    first line's product and configuration), of ``steps`` (the line's routing when it is the
    only one); a rush when any line was bought at the express tier. Opened ``outside_round``
    of the planner, its next round takes it as new work."""
    first = lines[0]
    if steps is None and len(lines) > 1:
        raise ValueError("a work order of several lines needs the routing of all their pieces")
    work = WorkOrder(
        first_order_id=first.order_id,
        line_id=first.id,
        factory_id=factory_id,
        product_name=first.product_name,
        quantity=sum(line.quantity for line in lines),
        rush=any((line.configuration or {}).get("tier") == RUSH_TIER for line in lines),
        awaits_planner=outside_round,
    )
    session.add(work)
    session.flush()
    session.add_all(
        WorkOrderLine(
            line_id=line.id,
            work_order_id=work.id,
            order_id=line.order_id,
            position=position,
            quantity=line.quantity,
        )
        for position, line in enumerate(lines)
    )
    routing = routing_of(first) if steps is None else steps
    for step in routing:
        session.add(
            Operation(
                work_order_id=work.id,
                factory_id=factory_id,
                step=str(step["id"]),
                name=str(step["name"]),
                capability=str(step["capability"]),
                minutes=max(1, int(step["minutes"])),
                predecessors=[str(p) for p in step.get("predecessors", ())],
                status=OperationStatus.WAITING,
            )
        )
    if routing:
        _reserve_materials(session, work, first, str(routing[0]["id"]))
    return work


def _reserve_materials(session: Session, work: WorkOrder, line: OrderLine, first_step: str) -> None:
    """Hold in the factory's stock what the work order's pieces take: the bill its first line
    keeps, for all the pieces it makes (a batch's work order makes every pre-order's)."""
    enterprise_id = session.scalar(
        select(Factory.enterprise_id).where(Factory.id == work.factory_id)
    )
    bill = bill_of(line.bill, Decimal(work.quantity) / line.quantity)
    if enterprise_id is not None and bill:
        reserve(session, enterprise_id, work.factory_id, work.id, bill, first_step)
