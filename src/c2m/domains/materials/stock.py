"""A factory's stock of a material: lots received, lots on their way, and what of each is free.

Every change to a material's stock in a factory first locks its lots (``lots``), so concurrent
reservations, receipts and consumption of one material in one factory happen one at a time and
never hand out more than a lot holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.materials.models import Material, Reservation, ReservationStatus, StockLot
from c2m.kernel.errors import NotFound


@dataclass(frozen=True, slots=True)
class Free:
    """What of ``lot`` no reservation holds (thousandths)."""

    lot: StockLot
    free: int


def lots(
    session: Session, material_id: str, factory_id: str, *, lock: bool = True
) -> list[StockLot]:
    """The material's lots in the factory, in the order they are used: on hand first (oldest
    first), then on their way (soonest first); locked unless only read for a promise.

    A transaction locks a material's lots once, all in id order, and works with those after:
    locking again would take lots others committed meanwhile, out of order, and two writers
    could each hold what the other waits for."""
    held = _held(session) if lock else None
    if held is not None and (material_id, factory_id) in held:
        found = held[material_id, factory_id]
    else:
        query = (
            select(StockLot)
            .where(StockLot.material_id == material_id, StockLot.factory_id == factory_id)
            .where(StockLot.remaining > 0)
            .order_by(StockLot.id)
        )
        found = list(session.scalars(query.with_for_update() if lock else query))
        if held is not None:
            held[material_id, factory_id] = found
    used = [lot for lot in found if lot.remaining > 0]
    return sorted(used, key=lambda lot: (lot.arrived_at is None, lot.expected_at, lot.id))


def _held(session: Session) -> dict[tuple[str, str], list[StockLot]]:
    """The lots this session's transaction has locked, by material and factory."""
    key = ("stock_lots_locked", id(session.get_transaction()))
    held: dict[tuple[str, str], list[StockLot]] = session.info.setdefault(key, {})
    return held


def track(session: Session, lot: StockLot) -> None:
    """A lot this transaction added is one of the locked ones it works with."""
    held = _held(session).get((lot.material_id, lot.factory_id))
    if held is not None:
        held.append(lot)


def free_of(session: Session, held: list[StockLot]) -> list[Free]:
    """Each lot with what is still free of it."""
    reserved = reserved_on(session, [lot.id for lot in held])
    return [Free(lot, lot.remaining - reserved.get(lot.id, 0)) for lot in held]


def reserved_on(session: Session, lot_ids: list[str]) -> dict[str, int]:
    if not lot_ids:
        return {}
    query = (
        select(Reservation.lot_id, func.sum(Reservation.quantity))
        .where(
            Reservation.lot_id.in_(lot_ids),
            Reservation.status == ReservationStatus.RESERVED,
        )
        .group_by(Reservation.lot_id)
    )
    return {lot_id: int(total) for lot_id, total in session.execute(query) if lot_id}


def add_lot(
    session: Session,
    material: Material,
    factory_id: str,
    quantity: int,
    code: str,
    now: datetime,
    arriving: datetime | None = None,
) -> StockLot:
    """A lot received now, or (``arriving``) a purchase on its way; shortages it can cover
    are covered from it (see ``reservations.cover_shortages``)."""
    if quantity <= 0:
        raise ValueError("a lot holds a positive quantity")
    lot = StockLot(
        material_id=material.id,
        factory_id=factory_id,
        code=code,
        quantity=quantity,
        remaining=quantity,
        expected_at=arriving or now,
        arrived_at=None if arriving else now,
    )
    session.add(lot)
    session.flush()
    track(session, lot)
    return lot


def arrive(session: Session, lot_id: str, now: datetime) -> StockLot:
    """A purchase on its way is on the dock."""
    lot = session.get(StockLot, lot_id)
    if lot is None:
        raise NotFound("There is no such lot.")
    lots(session, lot.material_id, lot.factory_id)  # locked with the material's others
    if lot.arrived_at is None:
        lot.arrived_at = now
    return lot


def stock_marks(session: Session, factory_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Per factory, how many lots it has and how many of them have arrived: when either changes,
    a delivery came in or a purchase was placed, and steps waiting for material may start at
    another time."""
    query = (
        select(StockLot.factory_id, func.count(StockLot.id), func.count(StockLot.arrived_at))
        .where(StockLot.factory_id.in_(factory_ids))
        .group_by(StockLot.factory_id)
    )
    return {factory_id: (lots, arrived) for factory_id, lots, arrived in session.execute(query)}


def purchase_due(material: Material, now: datetime) -> datetime:
    """When a purchase placed now would be on the dock."""
    return now + timedelta(days=material.lead_days)
