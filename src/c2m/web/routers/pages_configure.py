"""The configurator page: design a product on a phone, then save, share and order it.

The page only renders the template and the starting choices; configurator.js asks the configure
API after every choice and saves, shares and orders through the design API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from c2m.domains.catalog import designs, templates
from c2m.domains.orders import service as orders
from c2m.kernel.errors import NotFound
from c2m.kernel.limits import MAX_QUANTITY
from c2m.web.auth import OptionalCaller, PlatformDep
from c2m.web.routers.pages import signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, caller: OptionalCaller, loaded: templates.Loaded, start: dict[str, Any]
) -> Response:
    out = loaded.out()
    data = {
        "template_id": out.id,
        "version": out.version,
        "definition": out.definition.model_dump(mode="json"),
        "signed_in": caller is not None,
        "max_quantity": MAX_QUANTITY,
        **start,
    }
    context = {"template": out, "data": data}
    return render(request, caller, "configure.html", context)


@router.get("/configure/{template_id}")
def configure_page(
    request: Request, platform: PlatformDep, template_id: str, caller: OptionalCaller
) -> Response:
    actor = caller.actor if caller else None
    with platform.db.read() as session:
        loaded = templates.load(session, actor, template_id)
    return _page(request, caller, loaded, {"choices": {}, "quantity": 1, "name": ""})


@router.get("/d/{token}")
def shared_design_page(
    request: Request, platform: PlatformDep, token: str, caller: OptionalCaller
) -> Response:
    """A shared design, opened at its own version, ready to be ordered or changed."""
    actor = caller.actor if caller else None
    with platform.db.read() as session:
        design = designs.shared_design(session, token, platform.design_signer)
        loaded = templates.load(session, actor, design.template_id, design.version)
    start = {"choices": design.configuration, "quantity": design.quantity, "name": design.name}
    return _page(request, caller, loaded, start)


@router.get("/orders/{order_id}/change")
def change_order_page(
    request: Request, platform: PlatformDep, order_id: str, caller: OptionalCaller
) -> Response:
    """A new version of what was ordered: the configurator at the product's current template,
    starting from the choices of the order's configured line."""
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        order = orders.load_order(session, actor, order_id)
        line = next((line for line in order.lines if line.template_id is not None), None)
        if line is None or line.template_id is None or order.customer_id != actor.user_id:
            raise NotFound("This order has no design to change; order it again instead.")
        loaded = templates.load(session, actor, line.template_id)
        name = f"{line.product_name}, new version"
        start = {"choices": line.configuration, "quantity": line.quantity, "name": name}
    return _page(request, caller, loaded, start)
