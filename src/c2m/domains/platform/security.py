"""Password hashing (argon2id) and token hashing, in one place so parameters never diverge."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pwdlib import PasswordHash

MIN_PASSWORD_LENGTH = 10


@cache
def _hasher() -> PasswordHash:
    """Argon2id, loaded with the first password hashed or checked: most requests (API tokens,
    sessions, pages) never need it, and a process starts without its bindings."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@cache
def _dummy_hash() -> str:
    """A real hash of a fixed string, verified against when the e-mail is unknown, so a log-in
    takes as long for a stranger as for a member and does not reveal who has an account. Made at
    the first log-in, not at import: hashing costs every process start 0.15 s."""
    return _hasher().hash("c2m-timing-equaliser")


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher().verify(password, _dummy_hash())
        return False
    return _hasher().verify(password, password_hash)


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy token: fast to check, useless to a thief of the database."""
    return hashlib.sha256(token.encode()).hexdigest()
