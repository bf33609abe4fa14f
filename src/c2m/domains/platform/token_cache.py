"""Who holds which API token, remembered for a moment in this process.

A script sends the same token with every call, and looking it up in the database was the largest
part of a small request's cost. Entries live ``ttl`` seconds: a token revoked here is forgotten at
once, a token revoked by another process (or a membership changed) is noticed within ``ttl``.
Unknown tokens are never remembered, so guessing cannot fill the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from c2m.domains.platform.actor import Actor
from c2m.domains.platform.security import token_digest
from c2m.kernel.clock import utcnow


class TokenCache:
    def __init__(
        self,
        ttl: float,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self.clock = clock
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def get(self, secret: str) -> Actor | None:
        """The token's holder if looked up less than ``ttl`` seconds ago, else None."""
        entry = self._entries.get(token_digest(secret))
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    def put(self, secret: str, actor: Actor, expires_at: datetime | None = None) -> None:
        """Remember ``actor`` for ``ttl`` seconds, never past the token's ``expires_at``."""
        now = self.clock()
        ttl = self.ttl
        if expires_at is not None:
            ttl = min(ttl, (expires_at - utcnow()).total_seconds())
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.capacity:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= self.capacity:
                    self._entries.clear()
            self._entries[token_digest(secret)] = (now + ttl, actor)

    def forget(self, digest: str) -> None:
        """Drop a revoked token (by its stored digest) at once."""
        with self._lock:
            self._entries.pop(digest, None)

    def forget_holder(self, user_id: str) -> None:
        """Drop every token of someone whose memberships just changed in this process."""
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if v[1].user_id != user_id}
