"""Rate limits on guessing passwords: failed log-ins are counted per account and per address in a
moving window (the `limits` library), so a lock-out ends at the latest one window after the
last failure counted, and only failures count: the owner who types the right password is never
the one who fills the window.

The storage is a setting: in memory for one process, Redis to share the count between web
processes. The library loads with the first log-in, not with the web tier.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from c2m.settings import Settings

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.strategies import MovingWindowRateLimiter


@dataclass
class LoginLimits:
    settings: Settings
    _built: tuple[MovingWindowRateLimiter, RateLimitItem, RateLimitItem] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, email: str, address: str) -> int:
        """How long this account or address must wait before trying again; 0: it may try."""
        limiter, *limits = self._limiter()
        waits = [
            limiter.get_window_stats(limit, key).reset_time - time.time()
            for limit, key in zip(limits, _keys(email, address), strict=True)
            if not limiter.test(limit, key)
        ]
        return max((math.ceil(wait) for wait in waits), default=0)

    def failed(self, email: str, address: str) -> None:
        limiter, *limits = self._limiter()
        for limit, key in zip(limits, _keys(email, address), strict=True):
            limiter.hit(limit, key)

    def _limiter(self) -> tuple[MovingWindowRateLimiter, RateLimitItem, RateLimitItem]:
        with self._lock:
            if self._built is None:
                from limits import parse
                from limits.storage import storage_from_string
                from limits.strategies import MovingWindowRateLimiter

                storage = storage_from_string(self.settings.rate_limit_storage)
                self._built = (
                    MovingWindowRateLimiter(storage),
                    parse(self.settings.login_failures_per_account),
                    parse(self.settings.login_failures_per_address),
                )
            return self._built


def _keys(email: str, address: str) -> tuple[str, str]:
    return "login:" + email.strip().lower(), "login-from:" + address


def in_words(seconds: int) -> str:
    """``Try again in ...``: whole minutes, or seconds under two minutes."""
    return f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
