"""Placing an order, split so the write transaction does nothing but write.

On SQLite every write transaction holds the one write lock, so throughput is the inverse of its
length: products are read, rules checked and every row and the response worked out beforehand
(``prepare_order``, in a read transaction); ``insert_prepared`` then only inserts rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from c2m.domains.catalog.models import Product
from c2m.domains.orders.events import order_topic, timeline_message
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.orders.schemas import EventOut, NewOrder, OrderOut
from c2m.domains.orders.states import OrderState, progress
from c2m.domains.platform.actor import Actor
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import InvalidInput, NotFound
from c2m.kernel.ids import new_id
from c2m.kernel.outbox import add_to_outbox


@dataclass(frozen=True)
class PreparedOrder:
    """The rows of a new order and the answer to give, ready to insert."""

    order: dict[str, Any]
    lines: list[dict[str, Any]]
    event: dict[str, Any]
    message: dict[str, Any]
    response: dict[str, Any]

    @property
    def order_id(self) -> str:
        return str(self.order["id"])


@dataclass(frozen=True)
class PricedLine:
    """One line to order: a product at a unit price, and what production keeps of its design."""

    product: Product
    quantity: int
    unit_price: int
    configuration: dict[str, Any]
    template_id: str | None = None
    template_version: int | None = None
    pricing: dict[str, Any] | None = None
    routing: list[dict[str, Any]] | None = None


def prepare_order(session: Session, actor: Actor, data: NewOrder) -> PreparedOrder:
    """An order of catalog products at their listed prices."""
    wanted = {line.product_id for line in data.lines}
    found = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(wanted)))}
    missing = sorted(pid for pid in wanted if pid not in found or not found[pid].active)
    if missing:
        raise NotFound(f"There is no product {missing[0]!r}, or it is no longer offered.")
    lines = [
        PricedLine(
            found[line.product_id],
            line.quantity,
            found[line.product_id].unit_price,
            dict(line.configuration),
        )
        for line in data.lines
    ]
    return prepare_lines(actor, lines)


def prepare_lines(actor: Actor, priced: list[PricedLine]) -> PreparedOrder:
    """The rows and response of an order of ``priced`` lines (one maker, one currency)."""
    enterprises = {line.product.enterprise_id for line in priced}
    currencies = {line.product.currency for line in priced}
    if len(enterprises) > 1 or len(currencies) > 1:
        raise InvalidInput(
            "All lines of one order must come from the same micro-enterprise and currency; "
            "place one order per maker."
        )
    now = utcnow()
    order_id = new_id()
    enterprise_id = enterprises.pop()
    placed = progress(OrderState.PLACED) or 0
    order = {
        "id": order_id,
        "customer_id": actor.user_id,
        "enterprise_id": enterprise_id,
        "state": OrderState.PLACED,
        "held_from": None,
        "currency": currencies.pop(),
        "total": sum(line.unit_price * line.quantity for line in priced),
        "captured": 0,
        "refunded": 0,
        "last_seq": 1,
        "progress": placed,
        "share_key": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    lines = [
        {
            "id": new_id(),
            "order_id": order_id,
            "position": position,
            "product_id": line.product.id,
            "product_name": line.product.name,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "configuration": line.configuration,
            "template_id": line.template_id,
            "template_version": line.template_version,
            "pricing": line.pricing,
            "routing": line.routing,
        }
        for position, line in enumerate(priced)
    ]
    event = {
        "id": new_id(),
        "order_id": order_id,
        "seq": 1,
        "type": "placed",
        "state": OrderState.PLACED,
        "progress": placed,
        "at": now,
        "actor": actor.name,
        "data": {"total": order["total"], "currency": order["currency"]},
    }
    event_json = EventOut.model_validate(event).model_dump(mode="json")
    return PreparedOrder(
        order=order,
        lines=lines,
        event=event,
        message=timeline_message(order_id, actor.user_id, enterprise_id, event_json),
        response=OrderOut.model_validate({**order, "lines": lines}).model_dump(mode="json"),
    )


def insert_prepared(session: Session, prepared: PreparedOrder) -> None:
    """Insert the order, its lines, its first timeline event and its outbox message."""
    session.execute(insert(Order), [prepared.order])
    session.execute(insert(OrderLine), prepared.lines)
    session.execute(insert(OrderEvent), [prepared.event])
    add_to_outbox(session, order_topic(prepared.order_id), prepared.message)
