"""Signed, tamper-proof tokens for links given to people without an account."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer


class Signer:
    def __init__(self, secret_key: str, purpose: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=f"c2m:{purpose}")

    def sign(self, payload: dict[str, Any]) -> str:
        return str(self._serializer.dumps(payload))

    def unsign(self, token: str) -> dict[str, Any] | None:
        """The payload, or None when the token was forged or altered."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            return None
        return payload if isinstance(payload, dict) else None
