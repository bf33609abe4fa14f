"""Password hashing (argon2id) and token hashing, in one place so parameters never diverge."""

from __future__ import annotations

import hashlib

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))
# A real hash of a random string, verified against when the e-mail is unknown, so a log-in
# takes as long for a stranger as for a member and does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("c2m-timing-equaliser")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy token: fast to check, useless to a thief of the database."""
    return hashlib.sha256(token.encode()).hexdigest()
