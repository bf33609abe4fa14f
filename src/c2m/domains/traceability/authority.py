"""What a market-surveillance authority sees of a unit beyond its passport: who put it on the
market, which order and work order made it, and which key signs its passport. Enough to trace
a unit and ask for a recall; no customer's name, address or contact, which the platform keeps
and uses itself to reach the owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from c2m.domains.orders.states import LABELS
from c2m.domains.platform.models import Enterprise
from c2m.domains.traceability.keys import KeyRing
from c2m.domains.traceability.passports import UnitRecord


@dataclass(frozen=True, slots=True)
class AuthorityFacts:
    seller: str  # the micro-enterprise that sold it: the economic operator
    order_id: str
    ordered_on: date
    order_state: str
    work_order_id: str
    unit_number: int
    signing_key: str


def authority_facts(session: Session, record: UnitRecord, data_dir: Path) -> AuthorityFacts:
    seller = session.get(Enterprise, record.order.enterprise_id)
    return AuthorityFacts(
        seller=seller.name if seller else record.order.enterprise_id,
        order_id=record.order.id,
        ordered_on=record.order.created_at.date(),
        order_state=LABELS[record.order.state],
        work_order_id=record.unit.work_order_id,
        unit_number=record.unit.number,
        signing_key=KeyRing.open(data_dir).current.id,
    )
