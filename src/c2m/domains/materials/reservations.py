"""What work orders hold of a factory's stock: reserved when the work is opened, taken when the
step that uses it starts, handed back when the work is cancelled.

A requirement is covered from lots on hand first, then from purchases on their way; what
neither covers is reserved short and covered, oldest first, as stock arrives. A material the
micro-enterprise does not stock (no :class:`Material` with the bill's key) is not tracked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.materials.models import (
    MILLI,
    Material,
    Reservation,
    ReservationStatus,
    StockLot,
    to_milli,
)
from c2m.domains.materials.stock import Free, free_of, lots, purchase_due
from c2m.engines.configurator import Requirement

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A step that cannot start before ``ready``: its ``material`` is on its way (``ordered``)
    or not yet ordered (``ready`` is when a purchase placed now would arrive)."""

    step: str
    material: str
    ready: datetime
    ordered: bool


def reserve(
    session: Session,
    enterprise_id: str,
    factory_id: str,
    work_order_id: str,
    requirements: Sequence[Requirement],
    first_step: str,
) -> None:
    """Hold what the work order's bill of materials takes of the factory's stock."""
    stocked = materials_by_key(session, enterprise_id, {r.material for r in requirements})
    tracked = [(stocked[r.material], r) for r in requirements if r.material in stocked]
    for material, requirement in sorted(tracked, key=lambda pair: pair[0].id):  # lock order
        need = to_milli(requirement.quantity)
        if need == 0:
            continue
        step = requirement.step or first_step
        for lot_id, quantity in _allocate(session, material, factory_id, need):
            session.add(
                Reservation(
                    material_id=material.id,
                    factory_id=factory_id,
                    work_order_id=work_order_id,
                    step=step,
                    lot_id=lot_id,
                    quantity=quantity,
                )
            )
    session.flush()


def _allocate(
    session: Session, material: Material, factory_id: str, need: int
) -> list[tuple[str | None, int]]:
    """(lot id, quantity) pieces covering ``need``: free stock in use order, the rest short."""
    pieces: list[tuple[str | None, int]] = []
    for held in free_of(session, lots(session, material.id, factory_id)):
        if need == 0:
            break
        take = min(need, held.free)
        if take > 0:
            pieces.append((held.lot.id, take))
            need -= take
    if need > 0:
        pieces.append((None, need))
    return pieces


def materials_by_key(session: Session, enterprise_id: str, keys: set[str]) -> dict[str, Material]:
    query = select(Material).where(Material.enterprise_id == enterprise_id, Material.key.in_(keys))
    return {material.key: material for material in session.scalars(query)}


def held(session: Session, work_order_id: str) -> list[Reservation]:
    query = select(Reservation).where(
        Reservation.work_order_id == work_order_id,
        Reservation.status == ReservationStatus.RESERVED,
    )
    return list(session.scalars(query))


def waiting(
    session: Session, work_order_ids: Sequence[str], now: datetime
) -> dict[str, list[Waiting]]:
    """Per work order, its steps whose material is not yet on hand, and when it can be."""
    query = (
        select(Reservation, StockLot, Material)
        .join(Material, Material.id == Reservation.material_id)
        .outerjoin(StockLot, StockLot.id == Reservation.lot_id)
        .where(
            Reservation.work_order_id.in_(work_order_ids),
            Reservation.status == ReservationStatus.RESERVED,
        )
    )
    out: dict[str, list[Waiting]] = {}
    for reservation, lot, material in session.execute(query):
        if lot is not None and lot.arrived_at is not None:
            continue
        ordered = lot is not None
        ready = max(now, lot.expected_at) if lot is not None else purchase_due(material, now)
        out.setdefault(reservation.work_order_id, []).append(
            Waiting(reservation.step, material.name, ready, ordered)
        )
    return out


def consume(session: Session, work_order_id: str, step: str, now: datetime) -> None:
    """The step has started: what it holds leaves the stock. What it held short, or on a lot
    still on its way, is taken from free stock on hand; what even that cannot cover the machine
    found elsewhere, and the stock count is off by it (logged, never negative)."""
    mine = sorted((r for r in held(session, work_order_id) if r.step == step), key=_lock_order)
    for reservation in mine:
        stock = {
            lot.id: lot for lot in lots(session, reservation.material_id, reservation.factory_id)
        }
        reservation.status = ReservationStatus.CONSUMED
        reservation.settled_at = now
        lot = stock.get(reservation.lot_id or "")
        if lot is not None and lot.arrived_at is not None:
            lot.remaining -= reservation.quantity
            continue
        session.flush()
        _take_free(session, list(stock.values()), reservation.quantity, work_order_id, step)
    session.flush()


def _take_free(
    session: Session, stock: list[StockLot], quantity: int, work_order_id: str, step: str
) -> None:
    """``quantity`` leaves the free stock on hand; what even that cannot cover the machine found
    elsewhere, and the stock count is off by it (logged, never negative)."""
    missing = quantity
    for free in free_of(session, stock):
        if free.lot.arrived_at is None or missing == 0:
            continue
        take = min(missing, free.free)
        free.lot.remaining -= take
        missing -= take
    if missing:
        log.warning(
            "work order %s step %s used %s thousandths of material %s not in stock",
            work_order_id,
            step,
            missing,
            stock[0].material_id if stock else "?",
        )


@dataclass(frozen=True, slots=True)
class Takes:
    """What a step takes from the stores of one material: ``quantity`` of its ``unit``."""

    material: str
    name: str
    quantity: Decimal
    unit: str


def step_materials(session: Session, work_order_id: str, step: str) -> list[Takes]:
    """What the step's reservations (held or already taken) say it takes, by material: the job
    document tells the machine, which reports back what it used."""
    query = (
        select(Material.key, Material.name, Material.unit, func.sum(Reservation.quantity))
        .join(Material, Material.id == Reservation.material_id)
        .where(
            Reservation.work_order_id == work_order_id,
            Reservation.step == step,
            Reservation.status != ReservationStatus.RELEASED,
        )
        .group_by(Material.key, Material.name, Material.unit)
        .order_by(Material.key)
    )
    return [
        Takes(key, name, Decimal(int(total)) / MILLI, unit)
        for key, name, unit, total in session.execute(query)
    ]


def settle(
    session: Session, work_order_id: str, step: str, used: Sequence[tuple[str, Decimal]]
) -> None:
    """The machine reported what the step used (material key, quantity): the stock follows the
    report rather than the bill. More than the step took at its start leaves the free stock on
    hand; less goes back to the lots it came from (and covers others' shortages). A material
    the step took nothing of is not this step's to settle, and is logged."""
    taken: dict[str, list[Reservation]] = {}
    query = (
        select(Reservation, Material.key)
        .join(Material, Material.id == Reservation.material_id)
        .where(
            Reservation.work_order_id == work_order_id,
            Reservation.step == step,
            Reservation.status == ReservationStatus.CONSUMED,
        )
        .order_by(Reservation.material_id, Reservation.id)
    )
    for reservation, key in session.execute(query):
        taken.setdefault(key, []).append(reservation)
    reported = dict(used)
    for key in sorted(reported.keys() - taken.keys()):
        log.info(
            "work order %s step %s reported %s, which it did not take", work_order_id, step, key
        )
    settled = [(mine, to_milli(reported[key])) for key, mine in taken.items() if key in reported]
    for mine, quantity in sorted(settled, key=lambda pair: _lock_order(pair[0][0])):
        material_id, factory_id = _lock_order(mine[0])
        stock = lots(session, material_id, factory_id)
        extra = quantity - sum(r.quantity for r in mine)
        if extra > 0:
            _take_free(session, stock, extra, work_order_id, step)
        elif extra < 0:
            _give_back(stock, {r.lot_id for r in mine}, -extra)
            session.flush()
            cover_shortages(session, material_id, factory_id)
    session.flush()


def _give_back(stock: list[StockLot], came_from: set[str | None], quantity: int) -> None:
    """Unused material back onto the lots on hand it came from, then any lot on hand, each up
    to what it first held."""
    left = quantity
    for lot in sorted(stock, key=lambda lot: lot.id not in came_from):
        if lot.arrived_at is None or left == 0:
            continue
        back = min(left, lot.quantity - lot.remaining)
        lot.remaining += back
        left -= back


def release(session: Session, work_order_id: str, step: str, now: datetime) -> None:
    """The step is cancelled: what it held is free again (and covers others' shortages)."""
    released = [r for r in held(session, work_order_id) if r.step == step]
    stocks = sorted({_lock_order(r) for r in released})
    for material_id, factory_id in stocks:  # before any reservation row, as covering does
        lots(session, material_id, factory_id)
    for reservation in released:
        reservation.status = ReservationStatus.RELEASED
        reservation.settled_at = now
    session.flush()
    for material_id, factory_id in stocks:
        cover_shortages(session, material_id, factory_id)


def cover_shortages(session: Session, material_id: str, factory_id: str) -> None:
    """Move short reservations, oldest first, onto free stock (after a lot is received or
    ordered, or stock is released)."""
    free = [f for f in free_of(session, lots(session, material_id, factory_id)) if f.free > 0]
    query = (
        select(Reservation)
        .where(
            Reservation.material_id == material_id,
            Reservation.factory_id == factory_id,
            Reservation.lot_id.is_(None),
            Reservation.status == ReservationStatus.RESERVED,
        )
        .order_by(Reservation.created_at, Reservation.id)
    )
    for short in session.scalars(query):
        while free and short.lot_id is None:
            lot = free[0]
            take = min(short.quantity, lot.free)
            if take == short.quantity:
                short.lot_id = lot.lot.id
            else:
                short.quantity -= take
                session.add(_split(short, lot.lot.id, take))
            if take == lot.free:
                free.pop(0)
            else:
                free[0] = Free(lot.lot, lot.free - take)
        if not free:
            break
    session.flush()


def _lock_order(reservation: Reservation) -> tuple[str, str]:
    """Writers lock a material's lots before they change its reservations, and materials in
    id order, so two writers never wait on each other."""
    return reservation.material_id, reservation.factory_id


def _split(short: Reservation, lot_id: str, quantity: int) -> Reservation:
    return Reservation(
        material_id=short.material_id,
        factory_id=short.factory_id,
        work_order_id=short.work_order_id,
        step=short.step,
        lot_id=lot_id,
        quantity=quantity,
        created_at=short.created_at,
    )
