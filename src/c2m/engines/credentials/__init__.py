"""Verifiable credentials: item-level product passports and their Ed25519 proofs."""

from c2m.engines.credentials.passport import (
    Issuer,
    Maker,
    Material,
    Measurement,
    QualityCheck,
    UnitFacts,
    credential,
)
from c2m.engines.credentials.proof import (
    ProofError,
    public_key_of,
    public_multikey,
    sign,
    verification_method,
    verify,
)

__all__ = [
    "Issuer",
    "Maker",
    "Material",
    "Measurement",
    "ProofError",
    "QualityCheck",
    "UnitFacts",
    "credential",
    "public_key_of",
    "public_multikey",
    "sign",
    "verification_method",
    "verify",
]
