"""Stock levels per material and factory, and the purchases the plan's net requirements call
for: free stock (on hand and on its way, less what is reserved and what work is short of)
below the reorder point orders enough to reach it, at least the reorder quantity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from c2m.domains.materials.models import (
    Material,
    Reservation,
    ReservationStatus,
    StockLot,
    from_milli,
)
from c2m.domains.materials.schemas import LevelOut, LotOut, MaterialOut
from c2m.domains.materials.stock import purchase_due


@dataclass(frozen=True, slots=True)
class Level:
    """A material's stock in one factory, in its unit."""

    material: Material
    factory_id: str
    on_hand: Decimal
    on_order: Decimal
    reserved: Decimal  # held against lots on hand or on their way
    short: Decimal  # needed by work that no lot covers yet

    @property
    def free(self) -> Decimal:
        return self.on_hand + self.on_order - self.reserved - self.short


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Buy ``quantity`` now, on the dock by ``arrives``."""

    level: Level
    quantity: Decimal
    arrives: datetime


def levels(session: Session, enterprise_id: str) -> list[Level]:
    """Every stocked material in every factory that holds, awaits or needs some."""
    materials = {
        m.id: m
        for m in session.scalars(select(Material).where(Material.enterprise_id == enterprise_id))
    }
    arrived = StockLot.arrived_at.is_not(None)
    stocked = (
        select(
            StockLot.material_id,
            StockLot.factory_id,
            func.sum(case((arrived, StockLot.remaining), else_=0)),
            func.sum(case((arrived, 0), else_=StockLot.remaining)),
        )
        .where(StockLot.material_id.in_(materials))
        .group_by(StockLot.material_id, StockLot.factory_id)
    )
    held = (
        select(
            Reservation.material_id,
            Reservation.factory_id,
            func.sum(case((Reservation.lot_id.is_(None), 0), else_=Reservation.quantity)),
            func.sum(case((Reservation.lot_id.is_(None), Reservation.quantity), else_=0)),
        )
        .where(
            Reservation.material_id.in_(materials),
            Reservation.status == ReservationStatus.RESERVED,
        )
        .group_by(Reservation.material_id, Reservation.factory_id)
    )
    totals: dict[tuple[str, str], list[int]] = {}
    for material_id, factory_id, on_hand, on_order in session.execute(stocked):
        totals.setdefault((material_id, factory_id), [0, 0, 0, 0])[:2] = [on_hand, on_order]
    for material_id, factory_id, reserved, short in session.execute(held):
        totals.setdefault((material_id, factory_id), [0, 0, 0, 0])[2:] = [reserved, short]
    return [
        Level(materials[m], f, *(from_milli(int(v or 0)) for v in values))
        for (m, f), values in sorted(
            totals.items(), key=lambda kv: (materials[kv[0][0]].key, kv[0][1])
        )
    ]


def suggestions(session: Session, enterprise_id: str, now: datetime) -> list[Suggestion]:
    """What to buy now so that no factory's free stock stays below its reorder point."""
    out = []
    for level in levels(session, enterprise_id):
        point = from_milli(level.material.reorder_point)
        if level.free >= point and level.short == 0:
            continue
        need = max(point - level.free, from_milli(level.material.reorder_quantity), level.short)
        out.append(Suggestion(level, need, purchase_due(level.material, now)))
    return out


def report(session: Session, enterprise_id: str, now: datetime) -> list[MaterialOut]:
    """Every material the micro-enterprise stocks, with its level in each factory and what to
    buy there now."""
    buy = {
        (s.level.material.id, s.level.factory_id): s
        for s in suggestions(session, enterprise_id, now)
    }
    by_material: dict[str, list[LevelOut]] = {}
    for level in levels(session, enterprise_id):
        suggestion = buy.get((level.material.id, level.factory_id))
        by_material.setdefault(level.material.id, []).append(
            LevelOut(
                factory_id=level.factory_id,
                on_hand=float(level.on_hand),
                on_order=float(level.on_order),
                reserved=float(level.reserved),
                short=float(level.short),
                free=float(level.free),
                buy=float(suggestion.quantity) if suggestion else None,
                buy_arrives=suggestion.arrives if suggestion else None,
            )
        )
    query = select(Material).where(Material.enterprise_id == enterprise_id).order_by(Material.key)
    return [material_out(m, by_material.get(m.id, [])) for m in session.scalars(query)]


def material_out(material: Material, levels: list[LevelOut]) -> MaterialOut:
    return MaterialOut(
        key=material.key,
        name=material.name,
        unit=material.unit,
        reorder_point=float(from_milli(material.reorder_point)),
        reorder_quantity=float(from_milli(material.reorder_quantity)),
        lead_days=material.lead_days,
        supplier=material.supplier,
        levels=levels,
    )


def lot_out(lot: StockLot, material: Material) -> LotOut:
    return LotOut(
        id=lot.id,
        material=material.key,
        factory_id=lot.factory_id,
        code=lot.code,
        quantity=float(from_milli(lot.quantity)),
        remaining=float(from_milli(lot.remaining)),
        expected_at=lot.expected_at,
        arrived_at=lot.arrived_at,
    )
