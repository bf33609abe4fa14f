"""Reading made units: an order's, and one by its serial (what its label and passport name)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.traceability.models import Unit
from c2m.domains.traceability.schemas import UnitOut


def unit_url(base_url: str, serial: str) -> str:
    """Where a unit's label points: its passport, for people and for machines."""
    return f"{base_url.rstrip('/')}/u/{serial}"


def units_of(session: Session, order_id: str, base_url: str) -> list[UnitOut]:
    units = session.scalars(
        select(Unit).where(Unit.order_id == order_id).order_by(Unit.started_at, Unit.number)
    )
    return [
        UnitOut(
            serial=u.serial,
            number=u.number,
            line_id=u.line_id,
            started_at=u.started_at,
            passport_url=unit_url(base_url, u.serial),
        )
        for u in units
    ]
