"""Issue 17: a passport expands with pyld against the contexts shipped in the package, with no
network and no term lost, and validates against the UNTP DigitalProductPassport schema shipped
with the tests (tests/data/untp-dpp-item.schema.json); a broken one is refused with the reason."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from pyld import jsonld
from tests.unit.credentials.test_passport_proof import DID, FACTS, ISSUER

from c2m.engines.credentials import (
    Maker,
    Material,
    Measurement,
    QualityCheck,
    UnitFacts,
    credential,
    sign,
)
from c2m.engines.credentials.linked_data import (
    VC_CONTEXT,
    UnknownContext,
    document_loader,
    expand,
    undefined_terms,
)

SCHEMA = json.loads((Path(__file__).parents[2] / "data" / "untp-dpp-item.schema.json").read_text())
MINIMAL = UnitFacts(
    passport_url="https://c2m.example/u/2612-7K3M-9QXA-01/passport.json",
    unit_url="https://c2m.example/u/2612-7K3M-9QXA-01",
    serial="2612-7K3M-9QXA-01",
    product_name="Stool",
    model_url="https://c2m.example/configure/stool",
    model_version=1,
    produced_on="2026-12-07",
    maker=Maker("urn:c2m:enterprise:alpha", "Alpha Works", "Main line"),
)


def signed(facts: UnitFacts) -> dict[str, Any]:
    unsigned = credential(facts, ISSUER, "2026-12-07T10:00:00+00:00")
    return sign(unsigned, bytes(32), f"{DID}#key-1", "2026-12-07T10:00:00+00:00")


def schema_errors(document: dict[str, Any]) -> str | None:
    error = best_match(Draft202012Validator(SCHEMA).iter_errors(document))
    return None if error is None else f"{error.json_path}: {error.message}"


def singular(value: Any) -> Any:
    """JSON-LD compaction writes a one-element list as its element; compare modulo that."""
    if isinstance(value, list):
        return singular(value[0]) if len(value) == 1 else [singular(v) for v in value]
    if isinstance(value, dict):
        return {k: singular(v) for k, v in value.items()}
    return value


def holds_every_term(document: dict[str, Any]) -> None:
    """No term is dropped or left undefined, and compacting the expansion gives the passport
    back: every key at every depth became an IRI and nothing else changed."""
    assert undefined_terms(document) == []
    expanded = expand(document)
    options = {"documentLoader": document_loader}
    compacted = jsonld.compact(expanded, {"@context": document["@context"]}, options)
    assert singular(compacted) == singular(document)


@pytest.mark.parametrize("facts", [MINIMAL, FACTS], ids=["minimal", "full"])
def test_a_passport_expands_against_the_shipped_contexts_and_fits_the_untp_schema(
    facts: UnitFacts,
) -> None:
    passport = signed(facts)
    assert passport["@context"][0] == VC_CONTEXT
    holds_every_term(passport)
    assert schema_errors(passport) is None


def test_the_iris_are_the_vc_and_untp_ones() -> None:
    text = json.dumps(expand(signed(FACTS)))
    for iri in (
        "https://www.w3.org/2018/credentials#credentialSubject",
        "https://w3id.org/security#proofValue",
        "https://test.uncefact.org/vocabulary/untp/dpp/0/ProductPassport",
        "https://test.uncefact.org/vocabulary/untp/dpp/0/granularityLevel",
        "https://test.uncefact.org/vocabulary/untp/dpp/0/materialsProvenance",
        "https://test.uncefact.org/vocabulary/untp/core/0/declaredValue",
        "https://test.uncefact.org/vocabulary/untp/core/0/carbonFootprint",
    ):
        assert iri in text, iri


def test_an_unknown_term_or_context_is_caught_and_never_fetched() -> None:
    passport = signed(FACTS)
    passport["credentialSubject"]["product"]["colour"] = "red"
    assert undefined_terms(passport) == ["colour"]
    with pytest.raises(UnknownContext, match="not a context c2m ships"):
        document_loader("https://evil.example/contexts/other.jsonld")
    passport["@context"] = [VC_CONTEXT, "https://evil.example/contexts/other.jsonld"]
    with pytest.raises(jsonld.JsonLdError):
        expand(passport)


def test_a_broken_passport_is_refused_by_the_schema_with_the_reason() -> None:
    no_serial = signed(replace(MINIMAL, serial=""))
    del no_serial["credentialSubject"]["product"]["serialNumber"]
    reason = schema_errors(no_serial)
    assert reason is not None
    assert "$.credentialSubject.product" in reason
    wrong_level = signed(MINIMAL)
    wrong_level["credentialSubject"]["granularityLevel"] = "unit"
    assert schema_errors(wrong_level) == (
        "$.credentialSubject.granularityLevel: 'unit' is not one of ['item', 'batch', 'model']"
    )
    no_vc_first = signed(MINIMAL)
    no_vc_first["@context"].reverse()
    assert schema_errors(no_vc_first) is not None


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)
numbers = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3))
fractions = st.floats(0, 1).map(lambda x: round(x, 3))
countries = st.sampled_from(["DE", "FR", "IT", "PL", "VN"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | numbers | names,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=10,
)
measurements = st.builds(
    Measurement,
    names,
    numbers,
    numbers,
    st.floats(0, 10).map(lambda x: round(x, 3)),
    st.sampled_from(["mm", "cm", "g", "deg"]),
)
unit_facts = st.builds(
    replace,
    st.just(MINIMAL),
    configuration=st.dictionaries(names, json_values, max_size=5),
    batch=st.none() | names,
    maker=st.builds(Maker, st.just("urn:c2m:enterprise:x"), names, names, st.none() | countries),
    materials=st.lists(
        st.builds(Material, names, fractions, st.none() | countries, fractions), max_size=3
    ).map(tuple),
    quality=st.lists(
        st.builds(
            QualityCheck, names, st.booleans(), st.lists(measurements, max_size=3).map(tuple)
        ),
        max_size=3,
    ).map(tuple),
    energy_kwh=st.none() | st.floats(0, 500).map(lambda x: round(x, 2)),
    co2e_kg=st.none() | st.floats(0, 200).map(lambda x: round(x, 2)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=unit_facts)
def test_any_units_passport_keeps_every_term_and_fits_the_schema(facts: UnitFacts) -> None:
    passport = signed(facts)
    holds_every_term(passport)
    assert schema_errors(passport) is None
