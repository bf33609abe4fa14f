"""A unit's passport: the facts the platform holds about one made piece, as a credential signed
with the platform's current key. The same facts and key give the same bytes (Ed25519 is
deterministic and the proof is dated by the unit's start), so asking twice gives one passport;
a new fact (a later step, a rotated key) gives a new one that verifies as well.

It carries the materials the product's template declares, the unit's latest inspection with
what it measured, and its footprint: the energy measured on its machines and the greenhouse gas
that stands for at the grid factor ``C2M_GRID_KG_CO2E_PER_KWH``.

Who sees what: anyone holding the product sees the public view (what it is, who made it where,
when, what it is made of, whether it passed inspection, its footprint); the credential itself,
with the configuration (which may hold a name or body measurements) and each measurement, is
for the unit's owner, the platform owner and market-surveillance authorities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog.declared import declared
from c2m.domains.circles.models import Preorder
from c2m.domains.factory.models import Factory
from c2m.domains.makers.models import MakerProfile
from c2m.domains.orders.models import Order, OrderLine
from c2m.domains.planning.models import WorkOrder
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise
from c2m.domains.traceability.footprint import unit_energy_kwh
from c2m.domains.traceability.keys import KeyRing, did_web
from c2m.domains.traceability.models import Unit
from c2m.domains.traceability.quality import latest_check
from c2m.domains.traceability.units import unit_url
from c2m.engines.credentials.linked_data import dpp_context_url
from c2m.engines.credentials.passport import Issuer, Maker, Material, UnitFacts, credential
from c2m.engines.quality import decimals
from c2m.kernel.errors import Forbidden, NotFound

ISSUER_NAME = "c2m"


@dataclass(frozen=True, slots=True)
class MeasuredRow:
    dimension: str
    value: str
    asked: str
    within: bool


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

    def audited_by(self, actor: Actor | None) -> bool:
        """A market-surveillance authority, or the platform owner: they see everything."""
        return actor is not None and (actor.is_authority or actor.is_platform_owner)

    @property
    def footprint(self) -> str:
        """The footprint as a person reads it ("2.35 kWh of electricity, 0.50 kg CO₂e")."""
        energy, co2e = self.facts.energy_kwh, self.facts.co2e_kg
        if energy is None or co2e is None:
            return "Not measured"
        return f"{_amount(energy, 'kWh', 'Wh')} of electricity, {_amount(co2e, 'kg', 'g')} CO₂e"

    @property
    def measured(self) -> list[MeasuredRow]:
        """The latest inspection's measurements as its owner reads them, in the gauge's
        decimals (a hole pitch of 200/3 mm reads 66.667 mm, not sixteen digits)."""
        return [
            MeasuredRow(
                m.name,
                f"{m.value:.{places}f} {m.unit}".strip(),
                f"{m.nominal:.{places}f} ± {m.tolerance:.{places}f} {m.unit}".strip(),
                m.within,
            )
            for check in self.facts.quality
            for m in check.measurements
            for places in (decimals(m.nominal, m.tolerance, m.value),)
        ]

    def made_by(self, actor: Actor | None) -> bool:
        """A member of the micro-enterprise that sold it (its packing station prints labels)."""
        return actor is not None and self.order.enterprise_id in actor.memberships


def _amount(value: float, unit: str, thousandth: str) -> str:
    """Two decimals of ``unit``; three significant digits of its thousandth below a tenth (a
    small part's footprint is grams, not "0.00 kg")."""
    if value >= 0.1:
        return f"{value:,.2f} {unit}"
    return f"{value * 1000:.3g} {thousandth}"


def load_unit(
    session: Session, serial: str, base_url: str, grid_kg_co2e_per_kwh: float
) -> UnitRecord:
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
    facts = _facts(session, unit, line, work, base_url, grid_kg_co2e_per_kwh)
    return UnitRecord(unit, line, order, facts)


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
        facility_id=f"urn:c2m:factory:{factory.id}",
    )


def _batch(session: Session, unit: Unit) -> str:
    """The lot the unit was made in: its pre-order batch, or else its work order (every piece
    of one work order is made together)."""
    preorder = select(Preorder.batch_id).where(Preorder.order_id == unit.order_id)
    return session.scalar(preorder) or unit.work_order_id


def _facts(
    session: Session,
    unit: Unit,
    line: OrderLine,
    work: WorkOrder,
    base_url: str,
    grid_kg_co2e_per_kwh: float,
) -> UnitFacts:
    url = unit_url(base_url, unit.serial)
    model = f"{base_url.rstrip('/')}/configure/{line.template_id}" if line.template_id else url
    template = declared(session, line.template_id, line.template_version, line.configuration)
    check = latest_check(session, unit)
    energy = unit_energy_kwh(session, unit)
    return UnitFacts(
        passport_url=f"{url}/passport.json",
        unit_url=url,
        serial=unit.serial,
        product_name=line.product_name,
        model_url=model,
        model_version=line.template_version or 1,
        produced_on=unit.started_at.date().isoformat(),
        maker=_maker(session, work),
        configuration=dict(line.configuration or {}),
        batch=_batch(session, unit),
        materials=tuple(
            Material(m.name, m.mass_fraction, m.origin_country, m.recycled_fraction)
            for m in template.materials
        ),
        quality=() if check is None else (check,),
        energy_kwh=None if energy is None else round(energy, 6),
        co2e_kg=None if energy is None else round(energy * grid_kg_co2e_per_kwh, 6),
    )


def signed_passport(
    record: UnitRecord, actor: Actor | None, data_dir: Path, base_url: str
) -> dict[str, Any]:
    """The unit's credential, signed with the current key; for its owner and authorities."""
    if not (record.owned_by(actor) or record.audited_by(actor)):
        raise Forbidden(
            "A unit's full passport is its owner's (and market-surveillance authorities'): sign "
            "in as the customer who ordered it. Its public page shows what it is and who made it."
        )
    from c2m.engines.credentials.proof import sign  # cryptography, loaded when a passport is made

    ring = KeyRing.open(data_dir)
    did = did_web(base_url)
    started = record.unit.started_at.isoformat()
    issuer = Issuer(did, ISSUER_NAME, dpp_context_url(base_url))
    unsigned = credential(record.facts, issuer, started)
    return sign(unsigned, ring.current.private, f"{did}#{ring.current.id}", started)
