"""The team's stores page: each material's stock per factory, what paid work holds of it, what
to buy, purchases on their way; take in a delivery, place a suggested purchase, book an
arrival. What it shows is the API's ``GET /enterprises/{id}/materials``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from c2m.domains.factory.models import Factory
from c2m.domains.materials import levels, service
from c2m.domains.materials.models import Material, StockLot
from c2m.domains.materials.stock import arrive, purchase_due
from c2m.domains.platform import service as accounts
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import NotFound
from c2m.web.auth import OptionalCaller, PlatformDep
from c2m.web.routers.api_stock import factory_of
from c2m.web.routers.pages import CsrfField, signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)
Amount = Annotated[Decimal, Form(gt=0, le=10**9, decimal_places=3)]


def stock_page(enterprise_id: str) -> str:
    return f"/workshop/enterprises/{enterprise_id}/stock"


@router.get("/workshop/enterprises/{enterprise_id}/stock")
def stock(
    request: Request, platform: PlatformDep, enterprise_id: str, caller: OptionalCaller
) -> Response:
    actor = signed_in(request, caller).actor
    actor.require_member_of(enterprise_id)
    now = utcnow()
    with platform.db.read() as session:
        enterprise = accounts.get_enterprise(session, actor, enterprise_id)
        factories = {
            f.id: f
            for f in session.scalars(
                select(Factory).where(Factory.enterprise_id == enterprise_id).order_by(Factory.code)
            )
        }
        coming = session.execute(
            select(StockLot, Material)
            .join(Material, Material.id == StockLot.material_id)
            .where(Material.enterprise_id == enterprise_id, StockLot.arrived_at.is_(None))
            .order_by(StockLot.expected_at)
        ).all()
        context = {
            "enterprise": enterprise,
            "materials": levels.report(session, enterprise_id, now),
            "factories": factories,
            "coming": [(lot, material) for lot, material in coming],
            "now": now,
        }
        return render(request, caller, "stock.html", context)


@router.post("/workshop/enterprises/{enterprise_id}/stock/lots")
def take_in(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    material_key: Annotated[str, Form(max_length=60)],
    factory_id: Annotated[str, Form(max_length=32)],
    quantity: Amount,
    code: Annotated[str, Form(min_length=1, max_length=60, pattern=r"\S")],
    purchase: Annotated[bool, Form()] = False,
) -> Response:
    """A delivery on the dock now, or (``purchase``) one ordered now from the supplier."""
    actor = signed_in(request, caller, csrf_token).actor
    actor.require_member_of(enterprise_id)
    now = utcnow()
    with platform.db.write() as session:
        material = service.stocked(session, enterprise_id, material_key)
        factory = factory_of(session, enterprise_id, factory_id)
        arriving = purchase_due(material, now) if purchase else None
        service.receive(session, material, factory, quantity, code.strip(), now, arriving)
    return RedirectResponse(stock_page(enterprise_id), status_code=303)


@router.post("/workshop/enterprises/{enterprise_id}/stock/lots/{lot_id}/arrival")
def arrived(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    lot_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    actor.require_member_of(enterprise_id)
    with platform.db.write() as session:
        found = session.scalar(
            select(StockLot.id)
            .join(Material, Material.id == StockLot.material_id)
            .where(StockLot.id == lot_id, Material.enterprise_id == enterprise_id)
        )
        if found is None:
            raise NotFound("There is no such lot of this micro-enterprise.")
        arrive(session, found, utcnow())
    return RedirectResponse(stock_page(enterprise_id), status_code=303)
