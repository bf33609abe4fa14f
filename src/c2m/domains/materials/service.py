"""A micro-enterprise's materials: what it stocks under which key, lots received and purchases
placed; each change that adds stock covers waiting shortages at once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.materials.models import Material, StockLot, to_milli
from c2m.domains.materials.reservations import cover_shortages
from c2m.domains.materials.schemas import MaterialIn, exact
from c2m.domains.materials.stock import add_lot, purchase_due
from c2m.kernel.errors import Conflict, NotFound


def define(session: Session, enterprise_id: str, key: str, spec: MaterialIn) -> Material:
    """The material under ``key``, created or updated to ``spec``."""
    material = session.scalar(
        select(Material).where(Material.enterprise_id == enterprise_id, Material.key == key)
    )
    if material is None:
        material = Material(enterprise_id=enterprise_id, key=key)
        session.add(material)
    material.name = spec.name
    material.unit = spec.unit
    material.reorder_point = to_milli(exact(spec.reorder_point))
    material.reorder_quantity = to_milli(exact(spec.reorder_quantity))
    material.lead_days = spec.lead_days
    material.supplier = spec.supplier
    session.flush()
    return material


def receive(
    session: Session,
    material: Material,
    factory_id: str,
    quantity: Decimal,
    code: str,
    now: datetime,
    arriving: datetime | None = None,
) -> StockLot:
    """A delivery on the dock now, or (``arriving``) a purchase placed now that docks then;
    work short of the material waits for it rather than for a purchase unmade. A lot number
    already in the factory is a 409."""
    taken = select(StockLot.id).where(
        StockLot.factory_id == factory_id,
        StockLot.material_id == material.id,
        StockLot.code == code,
    )
    if session.scalar(taken) is not None:
        raise Conflict(
            f"Lot {code!r} of {material.name} is already in this factory: "
            "give the delivery its own lot number."
        )
    lot = add_lot(session, material, factory_id, to_milli(quantity), code, now, arriving)
    cover_shortages(session, material.id, factory_id)
    return lot


def order(
    session: Session,
    material: Material,
    factory_id: str,
    quantity: Decimal,
    code: str,
    now: datetime,
) -> StockLot:
    """A purchase placed now, docking after the supplier's lead time."""
    return receive(session, material, factory_id, quantity, code, now, purchase_due(material, now))


def stocked(session: Session, enterprise_id: str, key: str) -> Material:
    """The material stocked under ``key``; 404 when there is none."""
    material = session.scalar(
        select(Material).where(Material.enterprise_id == enterprise_id, Material.key == key)
    )
    if material is None:
        raise NotFound(f"This micro-enterprise stocks no material {key!r}.")
    return material
