"""Rate limits (the `limits` library), each a setting: failed log-ins per account and per
address, API calls per token (or per signed-in person), uploads per person; 429 with
``Retry-After`` and a sentence.

Failed log-ins are counted in a moving window that counts failures only, so a lock-out ends at
the latest one window after the last failure, and the owner who types the right password never
fills it. The storage is a setting: in memory for one process, Redis to share the counts between
web processes. The library loads with the first limited request, not with the web tier.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from c2m.kernel.errors import TooManyRequests
from c2m.settings import Settings

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.aio.strategies import MovingWindowRateLimiter as AsyncLimiter
    from limits.strategies import MovingWindowRateLimiter

Spending = Literal["api", "upload"]
WHAT = {"api": "API calls", "upload": "uploads"}


@dataclass
class RateLimits:
    settings: Settings
    _login: tuple[MovingWindowRateLimiter, RateLimitItem, RateLimitItem] | None = None
    _spending: tuple[AsyncLimiter, dict[Spending, RateLimitItem]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def login_wait(self, email: str, address: str) -> int:
        """How long this account or address must wait before trying again; 0: it may try."""
        limiter, *limits = self._login_limiter()
        waits = [
            limiter.get_window_stats(limit, key).reset_time - time.time()
            for limit, key in zip(limits, _login_keys(email, address), strict=True)
            if not limiter.test(limit, key)
        ]
        return max((math.ceil(wait) for wait in waits), default=0)

    def login_failed(self, email: str, address: str) -> None:
        limiter, *limits = self._login_limiter()
        for limit, key in zip(limits, _login_keys(email, address), strict=True):
            limiter.hit(limit, key)

    async def spend(self, what: Spending, key: str) -> None:
        """Count one API call or upload of ``key``; TooManyRequests once its budget is spent."""
        limiter, limits = self._spending_limiter()
        limit = limits[what]
        if await limiter.hit(limit, f"{what}:{key}"):
            return
        reset = (await limiter.get_window_stats(limit, f"{what}:{key}")).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise TooManyRequests(
            f"Too many {WHAT[what]}: at most {limit.amount} per {_period(limit)}. "
            f"Try again in {in_words(wait)}.",
            retry_after=wait,
        )

    def _login_limiter(self) -> tuple[MovingWindowRateLimiter, RateLimitItem, RateLimitItem]:
        with self._lock:
            if self._login is None:
                from limits import parse
                from limits.storage import storage_from_string
                from limits.strategies import MovingWindowRateLimiter

                storage = storage_from_string(self.settings.rate_limit_storage)
                self._login = (
                    MovingWindowRateLimiter(storage),
                    parse(self.settings.login_failures_per_account),
                    parse(self.settings.login_failures_per_address),
                )
            return self._login

    def _spending_limiter(self) -> tuple[AsyncLimiter, dict[Spending, RateLimitItem]]:
        if self._spending is not None:  # every API call comes here: no lock once built
            return self._spending
        with self._lock:
            if self._spending is None:
                from limits import parse
                from limits.aio.strategies import MovingWindowRateLimiter
                from limits.storage import storage_from_string

                url = self.settings.rate_limit_storage
                # redis-py's asyncio client, which the sync storage's package brings along
                options = {"implementation": "redispy"} if url.startswith("redis") else {}
                storage = storage_from_string("async+" + url, **options)
                self._spending = (
                    MovingWindowRateLimiter(storage),
                    {
                        "api": parse(self.settings.api_calls_per_token),
                        "upload": parse(self.settings.uploads_per_person),
                    },
                )
            return self._spending


def _login_keys(email: str, address: str) -> tuple[str, str]:
    return "login:" + email.strip().lower(), "login-from:" + address


def _period(limit: RateLimitItem) -> str:
    unit = limit.GRANULARITY.name
    return unit if limit.multiples == 1 else f"{limit.multiples} {unit}s"


def in_words(seconds: int) -> str:
    """``Try again in ...``: whole minutes, or seconds under two minutes."""
    return f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
