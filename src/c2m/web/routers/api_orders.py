"""Orders: place, pay, cancel, refund, move along, share, and the live timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse

from c2m.bootstrap import Platform
from c2m.domains.orders import placement, service
from c2m.domains.orders.models import Order
from c2m.domains.orders.schemas import (
    Advance,
    Cancel,
    EventOut,
    NewOrder,
    OrderOut,
    Pay,
    ShareLink,
    as_shared,
)
from c2m.domains.orders.states import OrderState
from c2m.domains.traceability.schemas import OrderWithUnitsOut
from c2m.domains.traceability.units import units_of
from c2m.web import links
from c2m.web.auth import OrdersRead, OrdersWrite, PlatformDep
from c2m.web.idempotent import Idempotent, answer
from c2m.web.paging import PAGED, Paging, next_page_headers
from c2m.web.problems import problem_responses
from c2m.web.streams import timeline_events

router = APIRouter(prefix="/api/v1", tags=["orders"], responses=problem_responses(401, 404))

CHANGE = problem_responses(403, 409, 413, 422)
StateFilter = Annotated[OrderState | None, Query(description="Only orders in this state")]
EVENTS_PAGE = 500
MAX_SEQUENCE = 2**31 - 1  # the largest value of the 32-bit sequence column on PostgreSQL
After = Annotated[int, Query(ge=0, le=MAX_SEQUENCE, description="Only events after this sequence")]
LastEventId = Annotated[
    str | None,
    Header(alias="Last-Event-ID", max_length=20, description="Resume a live stream after it"),
]

EVENTS_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        **PAGED[200],
        "description": "The timeline as JSON (a next page after 500 events, by `after`), "
        "or live as Server-Sent Events",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@router.get("/orders", response_model=list[OrderOut], responses=PAGED)
def list_orders(
    platform: PlatformDep, actor: OrdersRead, page: Paging, state: StateFilter = None
) -> list[OrderOut]:
    with platform.db.read() as session:
        orders = service.page_orders(session, actor, page.window, state)
        return page.answer(orders, OrderOut.model_validate)


@router.get("/enterprises/{enterprise_id}/orders", response_model=list[OrderOut], responses=PAGED)
def list_enterprise_orders(
    platform: PlatformDep,
    enterprise_id: str,
    actor: OrdersRead,
    page: Paging,
    state: StateFilter = None,
) -> list[OrderOut]:
    with platform.db.read() as session:
        orders = service.page_enterprise_orders(session, actor, enterprise_id, page.window, state)
        return page.answer(orders, OrderOut.model_validate)


@router.post(
    "/orders", status_code=201, response_model=OrderOut, responses=problem_responses(409, 413, 422)
)
async def place_order(
    platform: PlatformDep,
    body: NewOrder,
    actor: OrdersWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Async, and written by the order-intake group writer: under load, one transaction and a
    few statements serve many callers' orders."""
    claim = idempotent.claim(actor, body)
    placed = await platform.orders.submit(placement.OrderRequest(actor, body, claim))
    return answer(placed)


@router.get("/orders/{order_id}", response_model=OrderWithUnitsOut)
def get_order(platform: PlatformDep, order_id: str, actor: OrdersRead) -> OrderWithUnitsOut:
    """The order, with the units made for it once work has started."""
    with platform.db.read() as session:
        order = OrderOut.model_validate(service.load_order(session, actor, order_id))
        units = units_of(session, order_id, platform.settings.base_url)
    return OrderWithUnitsOut(**order.model_dump(), units=units)


@router.post("/orders/{order_id}/pay", response_model=OrderOut, responses=CHANGE)
def pay_order(
    platform: PlatformDep,
    order_id: str,
    body: Pay,
    actor: OrdersWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    return idempotent.create(
        actor,
        body,
        lambda s: OrderOut.model_validate(service.pay(s, actor, order_id, body, platform.payments)),
        status_code=200,
    )


def _command(platform: Platform, run: Callable[[Session, Platform], Order]) -> OrderOut:
    """Run one order command in a write transaction and answer with the order."""
    with platform.db.write() as session:
        return OrderOut.model_validate(run(session, platform))


@router.post("/orders/{order_id}/cancel", response_model=OrderOut, responses=CHANGE)
def cancel_order(
    platform: PlatformDep, order_id: str, body: Cancel, actor: OrdersWrite
) -> OrderOut:
    """Cancel before production starts; money already taken is refunded at once."""
    return _command(platform, lambda s, p: service.cancel(s, actor, order_id, body, p.payments))


@router.post("/orders/{order_id}/refund", response_model=OrderOut, responses=CHANGE)
def refund_order(
    platform: PlatformDep, order_id: str, body: Cancel, actor: OrdersWrite
) -> OrderOut:
    """Give the money back (owners of the micro-enterprise and the platform owner)."""
    return _command(platform, lambda s, p: service.refund(s, actor, order_id, body, p.payments))


@router.post(
    "/orders/{order_id}/reorder", status_code=201, response_model=OrderOut, responses=CHANGE
)
def reorder(
    platform: PlatformDep, order_id: str, actor: OrdersWrite, idempotent: Idempotent
) -> JSONResponse:
    """Order a delivered order's lines again: a new order, placed, ready to pay."""
    placed = placement.place(
        platform.db,
        idempotent.claim(actor, None),
        lambda session: placement.prepare_reorder(session, actor, order_id, platform.promise),
    )
    return answer(placed)


@router.post("/orders/{order_id}/advance", response_model=OrderOut, responses=CHANGE)
def advance_order(
    platform: PlatformDep, order_id: str, body: Advance, actor: OrdersWrite
) -> OrderOut:
    """Move the order along production (for micro-enterprise members), hold or resume it."""
    return _command(platform, lambda s, _p: service.advance(s, actor, order_id, body))


@router.get(
    "/orders/{order_id}/events",
    response_model=list[EventOut],
    responses=EVENTS_CONTENT,
)
def list_order_events(
    request: Request,
    platform: PlatformDep,
    order_id: str,
    actor: OrdersRead,
    after: After = 0,
    last_event_id: LastEventId = None,
) -> Response:
    """The timeline; ask for ``text/event-stream`` to follow it live."""
    with platform.db.read() as session:
        service.load_order(session, actor, order_id)
        return _events_response(request, platform, session, order_id, after, last_event_id)


def _events_response(
    request: Request,
    platform: Platform,
    session: Session,
    order_id: str,
    after: int,
    last_event_id: str | None,
    *,
    shared: bool = False,
) -> Response:
    if last_event_id is not None and last_event_id.isdigit():
        after = max(after, min(int(last_event_id), MAX_SEQUENCE))
    if "text/event-stream" in request.headers.get("accept", ""):
        return EventSourceResponse(timeline_events(platform, order_id, after, shared), ping=15)
    events = service.events_after(session, order_id, after, EVENTS_PAGE)
    headers = (
        next_page_headers(request, after=str(events[-1].seq))
        if len(events) == EVENTS_PAGE
        else None
    )
    body = [EventOut.model_validate(e).model_dump(mode="json") for e in events]
    if shared:
        body = [as_shared(event) for event in body]
    return JSONResponse(body, headers=headers)


@router.post(
    "/orders/{order_id}/share", status_code=201, response_model=ShareLink, responses=CHANGE
)
def share_order(
    platform: PlatformDep,
    order_id: str,
    actor: OrdersWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    return idempotent.create(
        actor,
        None,
        lambda s: links.order_share_link(
            platform, service.share(s, actor, order_id, platform.share_signer)
        ),
    )


@router.delete("/orders/{order_id}/share", status_code=204, responses=problem_responses(403, 409))
def revoke_order_share(platform: PlatformDep, order_id: str, actor: OrdersWrite) -> Response:
    with platform.db.write() as session:
        service.revoke_share(session, actor, order_id)
    return Response(status_code=204)


@router.get(
    "/shared-orders/{token}/events",
    response_model=list[EventOut],
    responses=EVENTS_CONTENT,
    tags=["public"],
)
def list_shared_order_events(
    request: Request,
    platform: PlatformDep,
    token: str,
    after: After = 0,
    last_event_id: LastEventId = None,
) -> Response:
    """A shared order's timeline, for someone holding the owner's link (no account needed)."""
    with platform.db.read() as session:
        order = service.order_for_share(session, token, platform.share_signer)
        return _events_response(
            request, platform, session, order.id, after, last_event_id, shared=True
        )
