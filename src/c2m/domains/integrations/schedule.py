"""When a failed delivery is tried again: a fixed back-off with jitter, so that receivers coming
back after an outage are not hit by every waiting delivery in the same second."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetrySchedule:
    delays: tuple[float, ...]  # C2M_WEBHOOK_RETRY_SECONDS: by default 8 attempts over 31.6 h
    jitter: float = 0.2  # each delay is drawn within +-20 %

    def after_failure(self, failures: int, rng: random.Random) -> timedelta | None:
        """How long to wait after the ``failures``-th failure in a row; None: give up."""
        if failures > len(self.delays):
            return None
        base = self.delays[failures - 1]
        return timedelta(seconds=base * rng.uniform(1 - self.jitter, 1 + self.jitter))
