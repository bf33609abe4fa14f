"""Verifiable credentials: item-level product passports and their Ed25519 proofs."""

from typing import TYPE_CHECKING

from c2m.engines.exports import lazy_exports

if TYPE_CHECKING:
    from c2m.engines.credentials.multikey import ProofError, public_key_of, public_multikey
    from c2m.engines.credentials.passport import (
        Issuer,
        Maker,
        Material,
        Measurement,
        QualityCheck,
        UnitFacts,
        credential,
    )
    from c2m.engines.credentials.proof import sign, verification_method, verify

_EXPORTS = {
    "Issuer": "passport",
    "Maker": "passport",
    "Material": "passport",
    "Measurement": "passport",
    "QualityCheck": "passport",
    "UnitFacts": "passport",
    "credential": "passport",
    "ProofError": "multikey",
    "public_key_of": "multikey",
    "public_multikey": "multikey",
    "sign": "proof",
    "verification_method": "proof",
    "verify": "proof",
}
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
__getattr__ = lazy_exports(__name__, _EXPORTS)
