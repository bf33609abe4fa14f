"""Every piece gets a serial when its work starts: the first step of a work order to start
makes one unit per piece it orders, each for the order line it is made for (a released
pre-order batch's work order makes one for each pre-order). Serials are short enough to print
on a label and read aloud: the month, eight Crockford base-32 characters shared by the work
order's pieces, and the piece's number (``2612-7K3M-9QXA-01``)."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from c2m.domains.orders.events import OrderEventType
from c2m.domains.planning.models import WorkOrderLine
from c2m.domains.traceability.models import Unit
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database

log = logging.getLogger(__name__)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""No I, L, O or U: nothing to misread on a label."""


def serial_stem(when: datetime) -> str:
    token = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"{when:%y%m}-{token[:4]}-{token[4:]}"


def make_units(session: Session, work_order_id: str, when: datetime) -> list[Unit]:
    """The work order's units, made now if its work had not started before."""
    made = list(
        session.scalars(
            select(Unit).where(Unit.work_order_id == work_order_id).order_by(Unit.number)
        )
    )
    if made:
        return made
    lines = session.scalars(
        select(WorkOrderLine)
        .where(WorkOrderLine.work_order_id == work_order_id)
        .order_by(WorkOrderLine.position)
    )
    pieces = [line for line in lines for _ in range(line.quantity)]
    stem = serial_stem(when)
    units = [
        Unit(
            serial=f"{stem}-{number:02d}",
            work_order_id=work_order_id,
            order_id=line.order_id,
            line_id=line.line_id,
            number=number,
            started_at=when,
        )
        for number, line in enumerate(pieces, start=1)
    ]
    session.add_all(units)
    return units


class UnitSerials:
    """An event-bus handler (``orders.`` topics): the first started step of a work order makes
    its units. Repeated or concurrent deliveries make them once (the work order and number are
    unique together)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __call__(self, _topic: str, message: dict[str, Any]) -> None:
        if message.get("type") != OrderEventType.OPERATION_STARTED:
            return
        data = message.get("data", {})
        work_order = data.get("work_order")
        if not work_order:
            return
        started = datetime.fromisoformat(data["started_at"]) if data.get("started_at") else utcnow()
        try:
            with self.db.write() as session:
                make_units(session, str(work_order), started)
        except IntegrityError:
            log.debug("units of work order %s were made by another process", work_order)
