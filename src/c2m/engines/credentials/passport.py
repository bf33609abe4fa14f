"""An item-level digital product passport in the UN Transparency Protocol's shape
(``DigitalProductPassport``, a W3C Verifiable Credential 2.0): what one made unit is, how it was
configured, who made it where, from what, what its quality checks measured and what making it
cost the planet. Plain data in, plain JSON-LD out; signing is ``proof.sign``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from c2m.engines.credentials.linked_data import VC_CONTEXT

#: UN/CEFACT Recommendation 20 codes of the units measurements come in, as UNTP asks.
REC20_UNITS = {
    "mm": "MMT",
    "cm": "CMT",
    "m": "MTR",
    "g": "GRM",
    "kg": "KGM",
    "deg": "DD",
    "N": "NEU",
}
#: UNTP names sustainability topics only; a unit's inspection against its own specification
#: is a compliance claim.
QUALITY_TOPIC = "governance.compliance"


@dataclass(frozen=True, slots=True)
class Material:
    name: str
    mass_fraction: float
    origin_country: str | None = None
    recycled_fraction: float = 0.0


@dataclass(frozen=True, slots=True)
class Measurement:
    """One measured dimension of a quality check, against its nominal value and tolerance."""

    name: str
    value: float
    nominal: float
    tolerance: float
    unit: str

    @property
    def within(self) -> bool:
        return abs(self.value - self.nominal) <= self.tolerance


@dataclass(frozen=True, slots=True)
class QualityCheck:
    topic: str
    passed: bool
    measurements: tuple[Measurement, ...] = ()


@dataclass(frozen=True, slots=True)
class Maker:
    """Who made the unit and where: a micro-enterprise's factory or a maker's workshop."""

    id: str
    name: str
    facility: str
    country: str | None = None
    facility_id: str | None = None  # the maker's id when the facility has none of its own


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """Everything a passport says about one unit."""

    passport_url: str
    unit_url: str
    serial: str
    product_name: str
    model_url: str
    model_version: int
    produced_on: str
    maker: Maker
    configuration: dict[str, Any] = field(default_factory=dict)
    batch: str | None = None
    materials: tuple[Material, ...] = ()
    quality: tuple[QualityCheck, ...] = ()
    energy_kwh: float | None = None
    co2e_kg: float | None = None


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who signs, and the URL of the context its passports name (``dpp_context_url``)."""

    did: str
    name: str
    context_url: str


def _measure(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": REC20_UNITS.get(unit, unit)}


def _claim(unit_url: str, number: int, check: QualityCheck) -> dict[str, Any]:
    return {
        "type": ["Claim", "Declaration"],
        "id": f"{unit_url}#check-{number}",
        "description": check.topic,
        "conformityTopic": QUALITY_TOPIC,
        "conformance": check.passed,
        "declaredValue": [
            {
                "type": ["Metric"],
                "metricName": m.name,
                "metricValue": _measure(m.value, m.unit),
                "score": "within tolerance" if m.within else "out of tolerance",
                "nominal": _measure(m.nominal, m.unit),
                "tolerance": _measure(m.tolerance, m.unit),
            }
            for m in check.measurements
        ],
    }


def credential(facts: UnitFacts, issuer: Issuer, valid_from: str) -> dict[str, Any]:
    """The unsigned passport of one unit."""
    product: dict[str, Any] = {
        "type": ["Product"],
        "id": facts.unit_url,
        "name": facts.product_name,
        "serialNumber": facts.serial,
        "batchNumber": facts.batch,
        "productionDate": facts.produced_on,
        "countryOfProduction": facts.maker.country,  # dropped below when unknown
        "characteristics": facts.configuration,
        "producedByParty": {"type": ["Party"], "id": facts.maker.id, "name": facts.maker.name},
        "producedAtFacility": {
            "type": ["Facility"],
            "id": facts.maker.facility_id or facts.maker.id,
            "name": facts.maker.facility,
        },
        "modelInformation": {"id": facts.model_url, "version": facts.model_version},
    }
    subject: dict[str, Any] = {
        "type": ["ProductPassport"],
        "granularityLevel": "item",
        "product": {k: v for k, v in product.items() if v is not None},
        "materialsProvenance": [
            {
                "type": ["Material"],
                "name": m.name,
                "massFraction": m.mass_fraction,
                "recycledMassFraction": m.recycled_fraction,
                **({"originCountry": m.origin_country} if m.origin_country else {}),
            }
            for m in facts.materials
        ],
        "conformityClaim": [
            _claim(facts.unit_url, n, check) for n, check in enumerate(facts.quality, 1)
        ],
    }
    if facts.co2e_kg is not None:
        subject["emissionsScorecard"] = {
            "type": ["EmissionsPerformance"],
            "carbonFootprint": facts.co2e_kg,  # kg CO2e per declared unit:
            "declaredUnit": "EA",  # this one piece (UN/CEFACT "each")
            "operationalScope": "None",  # the machines' electricity only, no upstream materials
            "primarySourcedRatio": 1.0,  # measured on the machines that made this piece
        }
        if facts.energy_kwh is not None:
            subject["emissionsScorecard"]["energyConsumed"] = _measure(facts.energy_kwh, "KWH")
    return {
        "@context": [VC_CONTEXT, issuer.context_url],
        "type": ["VerifiableCredential", "DigitalProductPassport"],
        "id": facts.passport_url,
        "issuer": {"type": ["CredentialIssuer"], "id": issuer.did, "name": issuer.name},
        "validFrom": valid_from,
        "credentialSubject": subject,
    }
