"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite (W3C VC Data Integrity EdDSA
Cryptosuites v1.0): a credential is signed over its JSON Canonicalization (RFC 8785), so any
verifier can check it with the issuer's Ed25519 public key, without JSON-LD processing or a
network.

The signed bytes are SHA-256 of the canonical proof options followed by SHA-256 of the canonical
credential without its proof; the signature is the multibase (base58-btc, ``z``) proof value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from c2m.engines.credentials.multikey import ProofError

CRYPTOSUITE = "eddsa-jcs-2022"
Document = dict[str, Any]


def _hash_data(proof_options: Mapping[str, Any], unsecured: Mapping[str, Any]) -> bytes:
    options = hashlib.sha256(rfc8785.dumps(dict(proof_options))).digest()
    return options + hashlib.sha256(rfc8785.dumps(dict(unsecured))).digest()


def sign(
    document: Mapping[str, Any], private_key: bytes, verification_method: str, created: str
) -> Document:
    """``document`` with a proof by the Ed25519 key (32 raw bytes) named ``verification_method``."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options: Document = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    key = Ed25519PrivateKey.from_private_bytes(private_key)
    signature = key.sign(_hash_data(options, unsecured))
    proof = {k: v for k, v in options.items() if k != "@context"}
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    return {**unsecured, "proof": proof}


def verification_method(document: Mapping[str, Any]) -> str:
    """Which key the document says signed it; ProofError if it has no proof of ours."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the credential has no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"the proof is not a DataIntegrityProof with {CRYPTOSUITE}")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise ProofError("the proof names no verification method")
    return method


def verify(document: Mapping[str, Any], public_key: bytes) -> None:
    """Raise ProofError with the reason unless ``document``'s proof was made by ``public_key``
    over exactly these contents."""
    verification_method(document)
    proof = dict(document["proof"])
    value = proof.pop("proofValue", None)
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proof has no base58-btc proof value")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof is not made for assertion")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" in unsecured:
        proof["@context"] = unsecured["@context"]
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofError("the proof value is not valid base58") from exc
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, _hash_data(proof, unsecured)
        )
    except (InvalidSignature, ValueError) as exc:
        raise ProofError(
            "the signature does not match: the credential was changed after it was signed, "
            "or another key signed it"
        ) from exc
