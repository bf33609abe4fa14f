"""The demo plant's stores: what Northwind stocks for its products' bills of materials, the
stock it opens with, and a storekeeper who buys what the purchase suggestions say and takes
in deliveries as they dock, so the demo runs for days without running dry."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.materials import levels
from c2m.domains.materials import service as materials
from c2m.domains.materials.models import StockLot
from c2m.domains.materials.schemas import MaterialIn
from c2m.domains.materials.stock import arrive
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database

log = logging.getLogger(__name__)
ROUND_SECONDS = 30.0


def _spec(
    key: str, name: str, unit: str, point: int, batch: int, days: int
) -> tuple[str, MaterialIn]:
    return key, MaterialIn(
        name=name,
        unit=unit,
        reorder_point=point,
        reorder_quantity=batch,
        lead_days=days,
        supplier="Demo Supply Co.",
    )


#: (what, opening stock): about a week of the demo's orders at its default pace.
STOCKED = (
    (_spec("sheet-steel-0.8", "Sheet steel 0.8 mm", "m²", 150, 400, 2), 600),
    (_spec("door-glass-4", "Tempered glass 4 mm", "m²", 20, 60, 3), 80),
    (_spec("pu-foam", "Polyurethane foam", "kg", 200, 600, 2), 800),
    (_spec("compressor-r600a", "Compressor (R600a)", "pcs", 30, 100, 3), 120),
    (_spec("door-hinge", "Door hinge", "pcs", 100, 400, 1), 500),
    (_spec("ice-maker-kit", "Ice maker kit", "pcs", 10, 30, 4), 40),
    (_spec("carton-fridge", "Fridge carton", "pcs", 30, 100, 1), 120),
    *(
        (_spec(f"fabric-{f}", f"{f.title()} fabric, 150 cm wide", "m", 60, 200, 2), 300)
        for f in ("poplin", "oxford", "linen", "flannel")
    ),
    (_spec("corozo-button", "Corozo button", "pcs", 500, 2000, 2), 3000),
    (_spec("shirt-box", "Shirt box", "pcs", 50, 200, 1), 250),
    *(
        (_spec(f"plate-{m}", f"{name} plate", "g", 5000, 20000, 2), 30000)
        for m, name in (
            ("aluminium", "Aluminium EN AW-6082"),
            ("steel", "Steel S235"),
            ("stainless", "Stainless steel 1.4301"),
            ("pom", "POM (acetal)"),
        )
    ),
)


def seed_stores(session: Session, enterprise_id: str, factory_id: str, now: datetime) -> None:
    """Northwind's materials, and their opening stock in a factory that holds none yet."""
    opened = session.scalar(select(StockLot.id).where(StockLot.factory_id == factory_id).limit(1))
    for (key, spec), opening in STOCKED:
        material = materials.define(session, enterprise_id, key, spec)
        if opened is None:
            materials.receive(session, material, factory_id, Decimal(opening), "opening", now)


def restock(session: Session, enterprise_id: str, factory_id: str, now: datetime) -> int:
    """One round of the storekeeper: deliveries due are taken in, suggested purchases placed;
    how many purchases."""
    due = select(StockLot).where(
        StockLot.factory_id == factory_id,
        StockLot.arrived_at.is_(None),
        StockLot.expected_at <= now,
    )
    for lot in session.scalars(due):
        arrive(session, lot.id, now)
    placed = 0
    for suggestion in levels.suggestions(session, enterprise_id, now):
        if suggestion.level.factory_id == factory_id:
            code = f"po-{uuid.uuid4().hex[:8]}"
            materials.order(
                session, suggestion.level.material, factory_id, suggestion.quantity, code, now
            )
            placed += 1
    return placed


def keep_stores(db: Database, enterprise_id: str, factory_id: str, stop: threading.Event) -> None:
    """Restock every ``ROUND_SECONDS`` until ``stop``."""
    while not stop.wait(ROUND_SECONDS):
        try:
            with db.write() as session:
                restock(session, enterprise_id, factory_id, utcnow())
        except Exception:
            log.exception("the demo storekeeper missed a round; the next one will catch up")
