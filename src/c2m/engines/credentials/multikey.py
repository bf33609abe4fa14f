"""Ed25519 public keys as Multikeys (``publicKeyMultibase``, base58-btc with the multicodec
prefix), as did:web documents publish them; no cryptography needed to read or write one."""

from __future__ import annotations

import base58

ED25519_MULTICODEC = b"\xed\x01"


class ProofError(ValueError):
    """A proof that does not hold, with the reason in words."""


def public_multikey(public_key: bytes) -> str:
    """The ``publicKeyMultibase`` of an Ed25519 public key (32 raw bytes)."""
    return "z" + base58.b58encode(ED25519_MULTICODEC + public_key).decode()


def public_key_of(multikey: str) -> bytes:
    """The raw Ed25519 public key in a ``publicKeyMultibase``; ProofError if it is not one."""
    if not multikey.startswith("z"):
        raise ProofError("the public key is not base58-btc multibase")
    try:
        decoded = base58.b58decode(multikey[1:])
    except ValueError as exc:
        raise ProofError("the public key is not valid base58") from exc
    if not decoded.startswith(ED25519_MULTICODEC) or len(decoded) != 34:
        raise ProofError("the public key is not an Ed25519 key")
    return decoded[2:]
