"""A micro-enterprise's materials and their stock per factory: what it stocks under which key,
levels with what to buy, deliveries received and purchases placed (docs/catalog.md, Bills of
materials). For its members, with the factory scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory
from c2m.domains.materials import levels, service
from c2m.domains.materials.models import Material, StockLot
from c2m.domains.materials.schemas import (
    MATERIAL_KEY,
    LotIn,
    LotOut,
    MaterialIn,
    MaterialOut,
    exact,
)
from c2m.domains.materials.stock import arrive
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import InvalidInput, NotFound
from c2m.web.auth import Machines, PlatformDep
from c2m.web.idempotent import Idempotent
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["materials"], responses=problem_responses(401, 404))
CHANGE = problem_responses(409, 422)
Key = Annotated[
    str, PathParam(pattern=MATERIAL_KEY, description="The key its bills of materials use")
]


@router.get("/enterprises/{enterprise_id}/materials", response_model=list[MaterialOut])
def list_materials(platform: PlatformDep, enterprise_id: str, actor: Machines) -> list[MaterialOut]:
    """Every material stocked, its level in each factory and the purchase suggested there."""
    actor.require_member_of(enterprise_id)
    with platform.db.read() as session:
        return levels.report(session, enterprise_id, utcnow())


@router.put(
    "/enterprises/{enterprise_id}/materials/{material_key}",
    response_model=MaterialOut,
    responses=CHANGE,
)
def put_material(
    platform: PlatformDep, enterprise_id: str, material_key: Key, body: MaterialIn, actor: Machines
) -> MaterialOut:
    """Stock a material under ``material_key``, or change what is known of it."""
    actor.require_member_of(enterprise_id)
    with platform.db.write() as session:
        service.define(session, enterprise_id, material_key, body)
        report = levels.report(session, enterprise_id, utcnow())
        return next(m for m in report if m.key == material_key)


@router.post(
    "/enterprises/{enterprise_id}/materials/{material_key}/lots",
    status_code=201,
    response_model=LotOut,
    responses=CHANGE,
)
def add_lot(
    enterprise_id: str, material_key: Key, body: LotIn, actor: Machines, idempotent: Idempotent
) -> JSONResponse:
    """A delivery received now, or a purchase placed that docks at ``arriving``; work short of
    the material is covered from it at once."""
    actor.require_member_of(enterprise_id)

    def add(session: Session) -> LotOut:
        material = service.stocked(session, enterprise_id, material_key)
        factory_id = factory_of(session, enterprise_id, body.factory_id)
        now = utcnow()
        if body.arriving is not None and body.arriving <= now:
            raise InvalidInput(
                "A purchase docks in the future; record a delivery already here without `arriving`."
            )
        lot = service.receive(
            session, material, factory_id, exact(body.quantity), body.code, now, body.arriving
        )
        return levels.lot_out(lot, material)

    return idempotent.create(actor, body, add)


@router.post(
    "/enterprises/{enterprise_id}/lots/{lot_id}/arrival", response_model=LotOut, responses=CHANGE
)
def receive_lot(platform: PlatformDep, enterprise_id: str, lot_id: str, actor: Machines) -> LotOut:
    """A purchase is on the dock (early or late): its material is on hand from now."""
    actor.require_member_of(enterprise_id)
    with platform.db.write() as session:
        found = session.execute(
            select(StockLot, Material)
            .join(Material, Material.id == StockLot.material_id)
            .where(StockLot.id == lot_id, Material.enterprise_id == enterprise_id)
        ).first()
        if found is None:
            raise NotFound("There is no such lot of this micro-enterprise.")
        lot, material = found
        return levels.lot_out(arrive(session, lot.id, utcnow()), material)


def factory_of(session: Session, enterprise_id: str, factory_id: str) -> str:
    """``factory_id`` when it is one of the micro-enterprise's factories; 404 otherwise."""
    factory = session.get(Factory, factory_id)
    if factory is None or factory.enterprise_id != enterprise_id:
        raise NotFound("There is no such factory of this micro-enterprise.")
    return factory.id
