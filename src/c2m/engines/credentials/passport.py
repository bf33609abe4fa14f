"""An item-level digital product passport in the UN Transparency Protocol's shape
(``DigitalProductPassport``, a W3C Verifiable Credential 2.0): what one made unit is, how it was
configured, who made it where, from what, what its quality checks measured and what making it
cost the planet. Plain data in, plain JSON-LD out; signing is ``proof.sign``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
UNTP_DPP_CONTEXT = "https://test.uncefact.org/vocabulary/untp/dpp/0.5.0/"


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
    did: str
    name: str


def _claim(check: QualityCheck) -> dict[str, Any]:
    return {
        "type": ["Claim"],
        "conformityTopic": check.topic,
        "conformance": check.passed,
        "declaredValue": [
            {
                "type": ["Metric"],
                "metricName": m.name,
                "metricValue": {"value": m.value, "unit": m.unit},
                "score": "within tolerance" if m.within else "out of tolerance",
                "accuracy": m.tolerance,
                "nominal": {"value": m.nominal, "unit": m.unit},
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
        "producedByParty": {"type": ["Identifier"], "id": facts.maker.id, "name": facts.maker.name},
        "producedAtFacility": {
            "type": ["Identifier"],
            "id": facts.maker.id,
            "name": facts.maker.facility,
        },
        "modelInformation": {"id": facts.model_url, "version": facts.model_version},
    }
    subject: dict[str, Any] = {
        "type": ["ProductPassport"],
        "id": facts.passport_url,
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
        "conformityClaim": [_claim(check) for check in facts.quality],
    }
    if facts.co2e_kg is not None:
        subject["emissionsScorecard"] = {
            "type": ["EmissionsPerformance"],
            "carbonFootprint": facts.co2e_kg,
            "declaredUnit": "KGM",  # UN/CEFACT: kilogram of CO2 equivalent for this one unit
            "operationalScope": "CradleToGate",
            "energyConsumed": {"value": facts.energy_kwh, "unit": "KWH"},
        }
    return {
        "@context": [VC_CONTEXT, UNTP_DPP_CONTEXT],
        "type": ["VerifiableCredential", "DigitalProductPassport"],
        "id": facts.passport_url,
        "issuer": {"type": ["CredentialIssuer"], "id": issuer.did, "name": issuer.name},
        "validFrom": valid_from,
        "credentialSubject": subject,
    }
