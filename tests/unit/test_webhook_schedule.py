"""The webhook retry schedule: every wait lies within its jitter of the documented delay, the
default spans more than a day, and after the last retry the delivery is given up."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from c2m.domains.integrations.schedule import RetrySchedule
from c2m.settings import Settings

DEFAULT_DELAYS: tuple[float, ...] = Settings.model_fields["webhook_retry_seconds"].default
SCHEDULE = RetrySchedule(DEFAULT_DELAYS)


@given(failures=st.integers(1, len(DEFAULT_DELAYS)), seed=st.integers(0, 2**32))
def test_each_wait_is_its_delay_within_the_jitter(failures: int, seed: int) -> None:
    wait = SCHEDULE.after_failure(failures, random.Random(seed))
    assert wait is not None
    base = DEFAULT_DELAYS[failures - 1]
    assert base * 0.8 <= wait.total_seconds() <= base * 1.2


@given(seed=st.integers(0, 2**32))
def test_the_retries_span_more_than_a_day_then_stop(seed: int) -> None:
    rng = random.Random(seed)
    waits = [SCHEDULE.after_failure(n, rng) for n in range(1, len(DEFAULT_DELAYS) + 1)]
    assert sum((w for w in waits if w is not None), timedelta()) > timedelta(hours=24)
    assert SCHEDULE.after_failure(len(DEFAULT_DELAYS) + 1, rng) is None
