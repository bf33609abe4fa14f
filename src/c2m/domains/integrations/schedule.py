"""When a failed delivery is tried again: a fixed back-off with jitter, so that receivers coming
back after an outage are not hit by every waiting delivery in the same second."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

#: After the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts over ~27.6 h).
DEFAULT_DELAYS: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)


@dataclass(frozen=True)
class RetrySchedule:
    delays: tuple[float, ...] = DEFAULT_DELAYS
    jitter: float = 0.2  # each delay is drawn within +-20 %

    def after_failure(self, failures: int, rng: random.Random) -> timedelta | None:
        """How long to wait after the ``failures``-th failure in a row; None: give up."""
        if failures > len(self.delays):
            return None
        base = self.delays[failures - 1]
        return timedelta(seconds=base * rng.uniform(1 - self.jitter, 1 + self.jitter))
