"""Paid orders become work orders: one per line, its routing's steps as operations to plan.

Found by asking the database (paid orders without work orders), not by remembering messages, so
an order paid while the planner was down is picked up when it comes back.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory
from c2m.domains.orders.models import Order, OrderLine
from c2m.domains.orders.states import OrderState
from c2m.domains.planning.models import Operation, OperationStatus, WorkOrder

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
    among it). On PostgreSQL the orders taken are locked and others skipped, so two planners
    never open the same order twice."""
    planned = select(WorkOrder.order_id)
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
        if _first_factory(session, enterprise) != factory_id:
            return {}
        query = query.where(Order.enterprise_id == enterprise)
    touched: dict[str, str] = {}
    for order in session.scalars(query):
        routed = _first_factory(session, order.enterprise_id)
        if routed is None:
            log.warning("order %s waits: its micro-enterprise has no factory", order.id)
            continue
        rush = any(open_work_order(session, order, line, routed) for line in order.lines)
        if rush or routed not in touched:
            touched[routed] = "rush order" if rush else "new work"
    session.flush()
    return touched


def _first_factory(session: Session, enterprise_id: str | None) -> str | None:
    """Where a micro-enterprise's orders are made: its first factory."""
    return session.scalar(
        select(Factory.id)
        .where(Factory.enterprise_id == enterprise_id)
        .order_by(Factory.created_at, Factory.id)
        .limit(1)
    )


def open_work_order(
    session: Session,
    order: Order,
    line: OrderLine,
    factory_id: str,
    steps: list[dict[str, Any]] | None = None,
) -> bool:
    """Add the line's work order in ``factory_id``, of ``steps`` (its whole routing when not
    given); whether it is a rush (bought at the express tier)."""
    rush = (line.configuration or {}).get("tier") == RUSH_TIER
    work = WorkOrder(
        order_id=order.id,
        line_id=line.id,
        factory_id=factory_id,
        product_name=line.product_name,
        quantity=line.quantity,
        rush=rush,
    )
    session.add(work)
    session.flush()
    for step in routing_of(line) if steps is None else steps:
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
    return rush
