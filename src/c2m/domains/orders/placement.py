"""Placing an order, split so the write transaction does nothing but write.

On SQLite every write transaction holds the one write lock, so throughput is the inverse of its
length: products are read, rules checked and every row and the response worked out beforehand
(``prepare_order``, in a read transaction); ``insert_prepared`` then only inserts rows.

Two entry points share that split and the Idempotency-Key handling: :func:`place` for one order
(pages, quotes, designs, pre-orders, the demo) and :func:`place_orders` for the API's group
writer, which writes many callers' orders in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from c2m.domains.catalog import designs, templates
from c2m.domains.catalog.models import Product
from c2m.domains.catalog.templates import Promiser, PromiseSource
from c2m.domains.orders import events
from c2m.domains.orders.events import order_topic, timeline_message
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.orders.schemas import EventOut, NewOrder, OrderOut
from c2m.domains.orders.service import load_order
from c2m.domains.orders.states import OrderState, progress
from c2m.domains.platform.actor import Actor
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database, table_of
from c2m.kernel.errors import C2MError, Conflict, InvalidInput, NotFound
from c2m.kernel.idempotency import (
    KeyClaim,
    StoredResponse,
    claim_keys,
    once,
    record_responses,
)
from c2m.kernel.ids import new_id
from c2m.kernel.outbox import add_all_to_outbox
from c2m.kernel.problem_types import ProblemCode


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
    bill: list[dict[str, Any]] | None = None


def prepare_order(session: Session, actor: Actor, data: NewOrder) -> PreparedOrder:
    """An order of catalog products at their listed prices."""
    return price_order(load_products(session, [data]), actor, data)


def load_products(session: Session, orders: Sequence[NewOrder]) -> dict[str, Product]:
    """The products the ``orders`` ask for, by id, in one query."""
    wanted = {line.product_id for data in orders for line in data.lines}
    if not wanted:
        return {}
    return {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(wanted)))}


def price_order(products: dict[str, Product], actor: Actor, data: NewOrder) -> PreparedOrder:
    """The order ``data`` of ``products`` at their listed prices; unknown or retired products are
    refused."""
    missing = sorted(
        line.product_id
        for line in data.lines
        if line.product_id not in products or not products[line.product_id].active
    )
    if missing:
        raise NotFound(f"There is no product {missing[0]!r}, or it is no longer offered.")
    lines = [
        PricedLine(
            products[line.product_id],
            line.quantity,
            products[line.product_id].unit_price,
            dict(line.configuration),
        )
        for line in data.lines
    ]
    return prepare_lines(actor, lines)


def prepare_lines(
    actor: Actor,
    priced: list[PricedLine],
    *,
    awaits_release: bool = False,
    to_makers: bool = False,
) -> PreparedOrder:
    """The rows and response of an order of ``priced`` lines (one maker, one currency); a
    pre-order ``awaits_release`` of its batch before the factory may make it; an order
    ``to_makers`` is made by independent makers, not in its micro-enterprise's factory."""
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
    total = sum(line.unit_price * line.quantity for line in priced)
    currency = currencies.pop()
    order = {
        "id": order_id,
        "customer_id": actor.user_id,
        "enterprise_id": enterprise_id,
        "state": OrderState.PLACED,
        "held_from": None,
        "awaits_release": awaits_release,
        "to_makers": to_makers,
        "currency": currency,
        "total": total,
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
            "bill": line.bill,
        }
        for position, line in enumerate(priced)
    ]
    first = events.placed(total, currency)
    event = {
        "id": new_id(),
        "order_id": order_id,
        "seq": 1,
        "type": first.type.value,
        "state": OrderState.PLACED,
        "progress": placed,
        "at": now,
        "actor": actor.name,
        "data": first.data,
    }
    event_json = EventOut.model_validate(event).model_dump(mode="json")
    return PreparedOrder(
        order=order,
        lines=lines,
        event=event,
        message=timeline_message(order_id, actor.user_id, enterprise_id, event_json),
        response=OrderOut.model_validate({**order, "lines": lines}).model_dump(mode="json"),
    )


def insert_prepared(session: Session, *prepared: PreparedOrder) -> None:
    """Insert orders, their lines, their first timeline events and their outbox messages, each
    kind in one statement."""
    if not prepared:
        return
    session.execute(insert(table_of(Order)), [p.order for p in prepared])
    session.execute(insert(table_of(OrderLine)), [line for p in prepared for line in p.lines])
    session.execute(insert(table_of(OrderEvent)), [p.event for p in prepared])
    add_all_to_outbox(session, [(order_topic(p.order_id), p.message) for p in prepared])


@dataclass(frozen=True)
class OrderRequest:
    """One caller's order, with the Idempotency-Key they sent, if any."""

    actor: Actor
    data: NewOrder
    claim: KeyClaim | None = None

    @property
    def key(self) -> tuple[str, str] | None:
        return (self.claim.scope, self.claim.key) if self.claim is not None else None


def _earlier_answers(
    session: Session, claims: Sequence[KeyClaim | None]
) -> dict[int, StoredResponse | Exception]:
    """By position, the claims already answered (a replay) or refused (key in use or reused)."""
    keyed = [(index, claim) for index, claim in enumerate(claims) if claim is not None]
    claimed = claim_keys(session, [claim for _, claim in keyed])
    return {
        index: answer
        for (index, _), answer in zip(keyed, claimed, strict=True)
        if answer is not None
    }


def _insert_answered(
    session: Session, placed: Sequence[tuple[KeyClaim | None, PreparedOrder]]
) -> list[StoredResponse]:
    """Insert the orders and remember each answer under its key, in the caller's transaction."""
    insert_prepared(session, *(prepared for _, prepared in placed))
    record_responses(
        session, [(claim, 201, p.response) for claim, p in placed if claim is not None]
    )
    return [StoredResponse(201, prepared.response, replayed=False) for _, prepared in placed]


def place(
    db: Database,
    claim: KeyClaim | None,
    prepare: Callable[[Session], PreparedOrder],
    then: Callable[[Session, PreparedOrder], None] | None = None,
) -> StoredResponse:
    """Place one order: ``prepare`` it in a read transaction, then insert it (and ``then``'s
    rows, in the same short write transaction) once per Idempotency-Key: a retry gets the
    earlier answer instead of a second order."""
    with db.read() as session:
        prepared = prepare(session)

    def insert(session: Session) -> dict[str, Any]:
        insert_prepared(session, prepared)
        if then is not None:
            then(session, prepared)
        return prepared.response

    return once(db, claim, insert)


def place_orders(
    session: Session, requests: Sequence[OrderRequest]
) -> list[StoredResponse | Exception]:
    """Place many callers' orders in one write transaction, a few statements for all of them.

    Each request gets its own answer: the new order (201), the replay of an earlier answer to
    its Idempotency-Key, or the error that refused it; one refusal does not hold up the rest.
    No two requests may carry the same key (``OrderRequest.key``).
    """
    answers = _earlier_answers(session, [request.claim for request in requests])
    todo = [index for index in range(len(requests)) if index not in answers]
    products = load_products(session, [requests[index].data for index in todo])
    placed: list[tuple[int, PreparedOrder]] = []
    for index in todo:
        request = requests[index]
        try:
            placed.append((index, price_order(products, request.actor, request.data)))
        except C2MError as refusal:
            answers[index] = refusal
    inserted = _insert_answered(session, [(requests[i].claim, p) for i, p in placed])
    answers.update((index, answer) for (index, _), answer in zip(placed, inserted, strict=True))
    return [answers[index] for index in range(len(requests))]


def prepare_design_order(
    session: Session, actor: Actor, design_id: str, promise: PromiseSource | None = None
) -> PreparedOrder:
    """An order of the design as saved: its version, configuration, price and routing.

    The price is worked out again from the stored version (the same version gives the same
    price), so what is charged never comes from the client.
    """
    design = designs.load_design(session, actor, design_id)
    loaded = templates.load(session, actor, design.template_id, design.version)
    if not loaded.template.published:
        raise NotFound("This product is not offered any more.")
    product = session.get(Product, loaded.template.product_id)
    assert product is not None
    result = templates.priced(
        loaded.compiled, design.configuration, design.quantity, _promiser(session, loaded, promise)
    )
    line = PricedLine(
        product=product,
        quantity=design.quantity,
        unit_price=result.price.discounted_unit_price,
        configuration=result.configuration,
        template_id=loaded.template.id,
        template_version=design.version,
        pricing={"design_id": design.id, **result.pricing_json()},
        routing=result.routing_json(),
        bill=result.bill_json(),
    )
    return prepare_lines(actor, [line])


def prepare_reorder(
    session: Session, actor: Actor, order_id: str, promise: PromiseSource | None = None
) -> PreparedOrder:
    """The same lines again, for the customer of a delivered order: a configured line at the
    template version it was ordered in (same design, same price rules), a catalog line at
    today's price. What is charged is worked out here, never taken from the old order."""
    order = load_order(session, actor, order_id)
    if order.customer_id != actor.user_id:
        raise NotFound("There is no such order, or it is not yours.")
    if order.state is not OrderState.DELIVERED:
        raise Conflict(
            "You can order this again once it has been delivered.",
            code=ProblemCode.STATE_DOES_NOT_ALLOW,
        )
    return prepare_lines(actor, [_again(session, actor, line, promise) for line in order.lines])


def _promiser(
    session: Session, loaded: templates.Loaded, promise: PromiseSource | None
) -> Promiser | None:
    """The live plan's say on the lead time, when the caller can read the plan."""
    return None if promise is None else promise(session, loaded.template.enterprise_id)


def _again(
    session: Session, actor: Actor, line: OrderLine, promise: PromiseSource | None
) -> PricedLine:
    product = session.get(Product, line.product_id)
    if product is None or not product.active:
        raise NotFound(f"{line.product_name} is no longer offered.")
    if line.template_id is None:
        return PricedLine(product, line.quantity, product.unit_price, dict(line.configuration))
    loaded = templates.load(session, actor, line.template_id, line.template_version)
    if not loaded.template.published:
        raise NotFound(f"{line.product_name} is no longer offered.")
    result = templates.priced(
        loaded.compiled, line.configuration, line.quantity, _promiser(session, loaded, promise)
    )
    earlier = {k: v for k, v in (line.pricing or {}).items() if k == "design_id"}
    return PricedLine(
        product=product,
        quantity=line.quantity,
        unit_price=result.price.discounted_unit_price,
        configuration=result.configuration,
        template_id=loaded.template.id,
        template_version=line.template_version,
        pricing={**earlier, **result.pricing_json()},
        routing=result.routing_json(),
        bill=result.bill_json(),
    )
