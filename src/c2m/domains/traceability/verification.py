"""Does a passport hold? Its issuer's did:web document must publish the key its proof names, as
an assertion key, and the proof must verify over the credential's exact contents; and the links
it makes (the unit, its model, the context it names, the issuer's keys) must lead somewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from c2m.domains.traceability.keys import did_document_url
from c2m.engines.credentials import ProofError, public_key_of, verification_method, verify
from c2m.engines.credentials.linked_data import VC_CONTEXT


@dataclass(frozen=True, slots=True)
class Verified:
    """What a verified passport says, in a line."""

    serial: str
    product: str
    issuer: str
    key: str

    def summary(self) -> str:
        return f"valid: {self.product} {self.serial}, signed by {self.issuer} with {self.key}"


def issuer_of(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    did = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(did, str) or not did:
        raise ProofError("the credential names no issuer")
    return did


def check(credential: Mapping[str, Any], did_document: Mapping[str, Any]) -> Verified:
    """The passport's summary; ProofError with the reason when it does not hold."""
    did = issuer_of(credential)
    if did_document.get("id") != did:
        raise ProofError(f"the key document is {did_document.get('id')!r}'s, not the issuer's")
    method = verification_method(credential)
    if not method.startswith(did + "#"):
        raise ProofError(f"the proof's key {method} is not the issuer's")
    if method not in did_document.get("assertionMethod", []):
        raise ProofError(f"the issuer does not publish {method} as an assertion key")
    published = [m for m in did_document.get("verificationMethod", []) if m.get("id") == method]
    if not published:
        raise ProofError(f"the issuer's document has no key {method}")
    verify(credential, public_key_of(str(published[0].get("publicKeyMultibase", ""))))
    product = credential.get("credentialSubject", {}).get("product", {})
    return Verified(
        serial=str(product.get("serialNumber", "")),
        product=str(product.get("name", "")),
        issuer=did,
        key=method.split("#", 1)[1],
    )


def links(credential: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The web links a passport makes, as (what, URL), each once: the unit, its model, the
    contexts it names but the W3C one (ours ship in every verifier), and the issuer's keys."""
    product = credential.get("credentialSubject", {}).get("product", {})
    model = product.get("modelInformation", {})
    contexts = credential.get("@context", [])
    did = issuer_of(credential)
    named = [
        ("unit", product.get("id")),
        ("model", model.get("id") if isinstance(model, dict) else None),
        *(("context", c) for c in (contexts if isinstance(contexts, list) else [contexts])),
        ("key document", did_document_url(did) if did.startswith("did:web:") else None),
    ]
    found: dict[str, str] = {}
    for what, url in named:
        web = isinstance(url, str) and url.startswith(("http://", "https://"))
        if web and url != VC_CONTEXT and url not in found:
            found[url] = what
    return [(what, url) for url, what in found.items()]
