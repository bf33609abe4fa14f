"""A unit's passport: the facts the platform holds about one made piece, as a credential signed
with the platform's current key. The same facts and key give the same bytes (Ed25519 is
deterministic and the proof is dated by the unit's start), so asking twice gives one passport;
a new fact (a later step, a rotated key) gives a new one that verifies as well.

Who sees what: anyone holding the product sees the public view (what it is, who made it where,
when); the credential itself, with the configuration (which may hold a name or body
measurements), is for the unit's owner and the platform owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory
from c2m.domains.makers.models import MakerProfile
from c2m.domains.orders.models import Order, OrderLine
from c2m.domains.planning.models import WorkOrder
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise
from c2m.domains.traceability.keys import KeyRing, did_web
from c2m.domains.traceability.models import Unit
from c2m.domains.traceability.units import unit_url
from c2m.engines.credentials.passport import Issuer, Maker, UnitFacts, credential
from c2m.kernel.errors import Forbidden, NotFound

ISSUER_NAME = "c2m"


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """A unit with what its passport and page say, and whose it is."""

    unit: Unit
    line: OrderLine
    order: Order
    facts: UnitFacts

    def owned_by(self, actor: Actor | None) -> bool:
        return actor is not None and (
            actor.user_id == self.order.customer_id or actor.is_platform_owner
        )

    def made_by(self, actor: Actor | None) -> bool:
        """A member of the micro-enterprise that sold it (its packing station prints labels)."""
        return actor is not None and self.order.enterprise_id in actor.memberships


def load_unit(session: Session, serial: str, base_url: str) -> UnitRecord:
    """The unit carrying ``serial``; NotFound in words when no unit does."""
    unit = session.scalar(select(Unit).where(Unit.serial == serial.upper()))
    if unit is None:
        raise NotFound(
            f"No unit carries the serial {serial}: check the label, or scan its QR code again."
        )
    line = session.get(OrderLine, unit.line_id)
    order = session.get(Order, unit.order_id)
    work = session.get(WorkOrder, unit.work_order_id)
    assert line is not None
    assert order is not None
    assert work is not None
    return UnitRecord(unit, line, order, _facts(session, unit, line, work, base_url))


def _maker(session: Session, work: WorkOrder) -> Maker:
    factory = session.get(Factory, work.factory_id)
    assert factory is not None
    enterprise = session.get(Enterprise, factory.enterprise_id)
    profile = session.scalar(select(MakerProfile).where(MakerProfile.factory_id == factory.id))
    name = profile.display_name if profile else (enterprise.name if enterprise else factory.name)
    return Maker(
        id=f"urn:c2m:enterprise:{factory.enterprise_id}",
        name=name,
        facility=factory.name,
        country=profile.country if profile else None,
    )


def _facts(
    session: Session, unit: Unit, line: OrderLine, work: WorkOrder, base_url: str
) -> UnitFacts:
    url = unit_url(base_url, unit.serial)
    model = f"{base_url.rstrip('/')}/configure/{line.template_id}" if line.template_id else url
    return UnitFacts(
        passport_url=url,
        unit_url=url,
        serial=unit.serial,
        product_name=line.product_name,
        model_url=model,
        model_version=line.template_version or 1,
        produced_on=unit.started_at.date().isoformat(),
        maker=_maker(session, work),
        configuration=dict(line.configuration or {}),
    )


def signed_passport(
    record: UnitRecord, actor: Actor | None, data_dir: Path, base_url: str
) -> dict[str, Any]:
    """The unit's credential, signed with the current key; only for its owner."""
    if not record.owned_by(actor):
        raise Forbidden(
            "A unit's full passport is its owner's: sign in as the customer who ordered it. "
            "Its public page shows what it is and who made it."
        )
    from c2m.engines.credentials.proof import sign  # cryptography, loaded when a passport is made

    ring = KeyRing.open(data_dir)
    did = did_web(base_url)
    started = record.unit.started_at.isoformat()
    unsigned = credential(record.facts, Issuer(did, ISSUER_NAME), started)
    return sign(unsigned, ring.current.private, f"{did}#{ring.current.id}", started)
