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


def prepare_order(session: Session, actor: Actor, data: NewOrder) -> PreparedOrder:
    wanted = {line.product_id for line in data.lines}
    found = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(wanted)))}
    missing = sorted(pid for pid in wanted if pid not in found or not found[pid].active)
    if missing:
        raise NotFound(f"There is no product {missing[0]!r}, or it is no longer offered.")
    products = [found[line.product_id] for line in data.lines]
    enterprises = {p.enterprise_id for p in products}
    currencies = {p.currency for p in products}
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
        "total": sum(
            p.unit_price * line.quantity for p, line in zip(products, data.lines, strict=True)
        ),
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
            "product_id": product.id,
            "product_name": product.name,
            "quantity": line.quantity,
            "unit_price": product.unit_price,
            "configuration": line.configuration,
        }
        for position, (product, line) in enumerate(zip(products, data.lines, strict=True))
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
