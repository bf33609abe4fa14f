"""The micro-enterprise's order desk: its orders, moved along by hand until the factory does it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from c2m.domains.orders import service as orders
from c2m.domains.orders.schemas import Advance
from c2m.domains.orders.states import FORWARD, PRODUCTION, OrderState
from c2m.domains.platform import service as accounts
from c2m.web.auth import OptionalCaller, platform_of
from c2m.web.routers.pages import CsrfField, signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)


def next_moves(state: OrderState, held_from: OrderState | None) -> list[OrderState]:
    """The moves a member may make from ``state``, as buttons."""
    if state is OrderState.ON_HOLD:
        return [held_from] if held_from is not None else []
    moves = sorted(FORWARD.get(state, frozenset()) - {OrderState.PAID})
    return [*moves, OrderState.ON_HOLD] if state in PRODUCTION else moves


@router.get("/workshop")
def workshop(request: Request, caller: OptionalCaller) -> Response:
    actor = signed_in(request, caller).actor
    with platform_of(request).db.read() as session:
        desks = [
            (
                enterprise,
                orders.list_enterprise_orders(session, actor, enterprise.id, limit=50, offset=0),
            )
            for enterprise in accounts.enterprises_of(session, actor)
        ]
    return render(request, caller, "workshop.html", {"desks": desks, "next_moves": next_moves})


@router.post("/workshop/orders/{order_id}/advance")
def advance(
    request: Request,
    order_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    to: Annotated[OrderState, Form()],
    expected_version: Annotated[int, Form(ge=1)],
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform_of(request).db.write() as session:
        orders.advance(session, actor, order_id, Advance(to=to, expected_version=expected_version))
    return RedirectResponse("/workshop", status_code=303)
