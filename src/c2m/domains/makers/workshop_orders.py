"""An accepted offer for an order's part becomes work in the maker's workshop.

The maker's workshop is a factory like any: the part gets a work order there, its planner plans
it and dispatches it to the maker's machines (``c2m agent`` on a printer), and the machines'
reports carry the order along as they do in a micro-enterprise's factory. The line's routing
becomes the steps the workshop's machines run: checking and packing a home-printed part are
the maker's own hands, not machine steps the platform can plan.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Machine
from c2m.domains.makers.models import MakerProfile, RoutedJob
from c2m.domains.orders import service as orders
from c2m.domains.orders.events import OrderEventType, step
from c2m.domains.orders.models import Order, OrderLine
from c2m.domains.planning.work_orders import open_work_order, routing_of
from c2m.kernel.errors import Conflict

ACTOR = "makers"


def take_on(session: Session, job: RoutedJob, maker_id: str) -> None:
    """Open the work order of ``job``'s order line in the accepting maker's workshop; a job
    the platform owner entered by hand (no line) is the maker's to make as agreed."""
    if job.line_id is None:
        return
    line = session.get(OrderLine, job.line_id)
    maker = session.get(MakerProfile, maker_id)
    assert line is not None  # the job names it
    assert maker is not None  # the offer names them
    order = session.get(Order, line.order_id, with_for_update=True)
    assert order is not None
    steps = workshop_steps(routing_of(line), _capabilities(session, maker.factory_id))
    made = next((s for s in steps if s["capability"] == job.capability), None)
    if made is None:
        raise Conflict(
            f"None of your machines does {job.capability} any more; decline the offer instead."
        )
    line.routing = steps
    open_work_order(session, [line], maker.factory_id, steps)
    news = {
        "operation": made["name"],
        "step": made["id"],
        "workshop": maker.display_name,
        "note": f"{maker.display_name}, an independent maker, makes it",
    }
    orders.note(session, order, step(OrderEventType.MAKER_CHOSEN, news), actor=ACTOR)
    session.flush()


def workshop_steps(routing: list[dict[str, Any]], capabilities: set[str]) -> list[dict[str, Any]]:
    """The routing's steps that the workshop's machines can run, each after the kept steps it
    came after."""
    kept = [dict(s) for s in routing if s["capability"] in capabilities]
    names = {str(s["id"]) for s in kept}
    for kept_step in kept:
        kept_step["predecessors"] = [p for p in kept_step.get("predecessors", ()) if p in names]
    return kept


def _capabilities(session: Session, factory_id: str) -> set[str]:
    rows = session.scalars(select(Machine.capabilities).where(Machine.factory_id == factory_id))
    return {capability for capabilities in rows for capability in capabilities}
