"""A unit's passport verifies against the issuer's published keys; any changed byte, a key the
issuer does not publish, or another issuer's document makes it fail, saying why; rotating the
key keeps earlier passports verifiable."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from c2m.domains.traceability.keys import KeyRing, did_document_url, did_web
from c2m.domains.traceability.verification import check
from c2m.engines.credentials import (
    Issuer,
    Maker,
    Material,
    Measurement,
    ProofError,
    QualityCheck,
    UnitFacts,
    credential,
    sign,
)
from c2m.engines.credentials.linked_data import dpp_context_url

DID = did_web("https://c2m.example")
ISSUER = Issuer(DID, "c2m", dpp_context_url("https://c2m.example"))
FACTS = UnitFacts(
    passport_url="https://c2m.example/u/01-0001/passport",
    unit_url="https://c2m.example/u/01-0001",
    serial="01-0001",
    product_name="Customizable refrigerator",
    model_url="https://c2m.example/templates/fridge",
    model_version=3,
    produced_on="2026-12-07",
    maker=Maker("urn:c2m:enterprise:alpha", "Alpha Works", "Main line", "DE"),
    configuration={"doors": 2, "width_cm": 65, "ice_maker": True},
    batch="B-12",
    materials=(Material("Stainless steel", 0.7, "DE", 0.3), Material("Polyurethane foam", 0.3)),
    quality=(QualityCheck("door gap", True, (Measurement("left door gap", 3.1, 3.0, 0.5, "mm"),)),),
    energy_kwh=41.5,
    co2e_kg=15.8,
)


def issued(ring: KeyRing) -> dict[str, Any]:
    unsigned = credential(FACTS, ISSUER, "2026-12-07T10:00:00+00:00")
    return sign(unsigned, ring.current.private, f"{DID}#{ring.current.id}", "2026-12-07T10:00:00Z")


@pytest.fixture(scope="module")
def ring(tmp_path_factory: pytest.TempPathFactory) -> KeyRing:
    return KeyRing.open(tmp_path_factory.mktemp("keys"))


def test_a_passport_verifies_against_its_issuers_published_key(ring: KeyRing) -> None:
    passport = issued(ring)
    verified = check(passport, ring.did_document(DID))
    assert verified.summary() == (
        f"valid: Customizable refrigerator 01-0001, signed by {DID} with key-1"
    )
    subject = passport["credentialSubject"]
    assert passport["type"] == ["VerifiableCredential", "DigitalProductPassport"]
    assert subject["product"]["batchNumber"] == "B-12"
    assert subject["conformityClaim"][0]["declaredValue"][0]["score"] == "within tolerance"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_changing_any_byte_of_a_passport_makes_it_fail(ring: KeyRing, data: st.DataObject) -> None:
    text = json.dumps(issued(ring), separators=(",", ":")).encode()
    where = data.draw(st.integers(0, len(text) - 1), label="byte")
    to = data.draw(st.integers(32, 126).filter(lambda b: b != text[where]), label="new byte")
    changed = text[:where] + bytes([to]) + text[where + 1 :]
    try:
        tampered = json.loads(changed)
    except ValueError:
        return  # no longer JSON: `c2m passport verify` says so
    if not isinstance(tampered, dict):
        return
    with pytest.raises(ProofError):
        check(tampered, ring.did_document(DID))


def test_a_rotated_key_signs_new_passports_and_old_ones_still_verify(tmp_path: Path) -> None:
    ring = KeyRing.open(tmp_path)
    before = issued(ring)
    ring.rotate()
    reopened = KeyRing.open(tmp_path)
    after = issued(reopened)
    document = reopened.did_document(DID)
    assert check(before, document).key == "key-1"
    assert check(after, document).key == "key-2"
    assert stat.S_IMODE((tmp_path / "passport-keys.json").stat().st_mode) == 0o600


def test_a_key_the_issuer_does_not_publish_or_another_issuer_is_refused_with_the_reason(
    ring: KeyRing, tmp_path: Path
) -> None:
    passport = issued(ring)
    stranger = KeyRing.open(tmp_path)
    with pytest.raises(ProofError, match="changed after it was signed, or another key"):
        check(passport, stranger.did_document(DID))
    with pytest.raises(ProofError, match="not the issuer's"):
        check(passport, ring.did_document(did_web("https://elsewhere.example")))
    retired = ring.did_document(DID)
    retired["assertionMethod"] = []
    with pytest.raises(ProofError, match="does not publish"):
        check(passport, retired)


def test_did_web_names_and_locates_the_platforms_key_document() -> None:
    assert did_web("http://127.0.0.1:8000") == "did:web:127.0.0.1%3A8000"
    assert (
        did_document_url("did:web:127.0.0.1%3A8000") == "http://127.0.0.1:8000/.well-known/did.json"
    )
    assert did_web("https://c2m.example/plant") == "did:web:c2m.example:plant"
    assert did_document_url("did:web:c2m.example:plant") == "https://c2m.example/plant/did.json"
