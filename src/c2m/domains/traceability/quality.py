"""Quality records: what each inspection measured on each unit, kept per unit and attempt.

Written from the order timeline's inspection news (a passed inspection, or a remake after a
failed one), which carries every piece's measurements; the unit is the work order's piece of
the same number. A repeated or concurrent delivery of the same news records once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from c2m.domains.orders.events import OrderEventType
from c2m.domains.traceability.models import QualityRecord, Unit
from c2m.domains.traceability.serials import make_units
from c2m.engines.credentials.passport import Measurement, QualityCheck
from c2m.kernel.db import Database

log = logging.getLogger(__name__)
INSPECTIONS = (OrderEventType.QUALITY_CHECKED, OrderEventType.REMAKE)
TOPIC = "dimensions"
"""What a quality record's claim is about: the dimensions the configuration asked for."""


def record_inspection(session: Session, step: str, quality: dict[str, Any]) -> list[QualityRecord]:
    """One record per unit of the inspected work order not yet recorded for this attempt (its
    units are made if their start was missed)."""
    attempt, when = str(quality["attempt"]), datetime.fromisoformat(quality["inspected_at"])
    units = make_units(session, str(quality["work_order"]), when)
    session.flush()
    recorded = set(
        session.scalars(select(QualityRecord.unit_id).where(QualityRecord.attempt_id == attempt))
    )
    pieces = {int(p["piece"]): p for p in quality.get("pieces", ())}
    added = [
        QualityRecord(
            unit_id=unit.id,
            attempt_id=attempt,
            step=step,
            passed=bool(pieces[unit.number]["passed"]),
            measurements=list(pieces[unit.number]["measurements"]),
            inspected_at=when,
        )
        for unit in units
        if unit.id not in recorded and unit.number in pieces
    ]
    session.add_all(added)
    session.flush()
    return added


def latest_check(session: Session, unit: Unit) -> QualityCheck | None:
    """The unit's latest inspection as its passport states it (measured values only)."""
    record = session.scalar(
        select(QualityRecord)
        .where(QualityRecord.unit_id == unit.id)
        .order_by(QualityRecord.inspected_at.desc(), QualityRecord.id.desc())
        .limit(1)
    )
    if record is None:
        return None
    measured = tuple(
        Measurement(m["label"], m["value"], m["nominal"], m["tolerance"], m["unit"])
        for m in record.measurements
        if m.get("value") is not None
    )
    return QualityCheck(TOPIC, record.passed, measured)


class QualityRecords:
    """An event-bus handler (``orders.`` topics): each inspection's news becomes the quality
    records of the units it measured."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __call__(self, _topic: str, message: dict[str, Any]) -> None:
        if message.get("type") not in INSPECTIONS:
            return
        data = message.get("data", {})
        quality = data.get("quality")
        if not isinstance(quality, dict):
            return  # a remake without measurements (a machine's scrap)
        try:
            with self.db.write() as session:
                record_inspection(session, str(data.get("step") or ""), quality)
        except IntegrityError:
            log.debug("inspection %s was recorded by another process", quality.get("attempt"))
