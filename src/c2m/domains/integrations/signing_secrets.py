"""Signing secrets, derived rather than stored: HMAC(C2M_SECRET_KEY, subscription, salt).

The receiver's secret is shown once, at creation or rotation; the database keeps only the salt,
so neither a database dump nor a backup lets anyone sign a delivery. Rotating the salt gives a
new secret; changing ``C2M_SECRET_KEY`` changes every subscription's secret (docs/api.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from c2m.kernel.ids import new_secret

PREFIX = "whsec_"


def new_salt() -> str:
    return new_secret(24)


def signing_secret(secret_key: str, subscription_id: str, salt: str) -> str:
    """The Standard Webhooks secret (``whsec_`` + base64 of 32 bytes) of a subscription."""
    key = hmac.new(
        secret_key.encode(), f"c2m:webhook:{subscription_id}:{salt}".encode(), hashlib.sha256
    ).digest()
    return PREFIX + base64.b64encode(key).decode()
