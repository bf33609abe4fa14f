"""Identifiers that cannot be guessed or enumerated (a URL never reveals how many orders exist)."""

from __future__ import annotations

import secrets
import uuid


def new_id() -> str:
    """A random 32-character hexadecimal identifier."""
    return uuid.uuid4().hex


def new_secret(nbytes: int = 32) -> str:
    """A random URL-safe secret for tokens and share links."""
    return secrets.token_urlsafe(nbytes)
