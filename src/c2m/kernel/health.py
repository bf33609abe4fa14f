"""Readiness: named checks that each say, in a sentence, what keeps this process from working.

A check returns ``None`` when all is well and a sentence when not ("the database is not
reachable: connection refused"). ``Health.check`` runs them all at once, each in a thread of its
own, and gives up on one that does not answer within ``timeout`` seconds: a load balancer or a
probe asking ``/readyz`` must get an answer even when the database hangs instead of refusing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database
from c2m.kernel.outbox import OutboxMessage

Check = Callable[[], str | None]
"""``None`` when ready, else a sentence that says why not."""


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


class Health:
    """The checks of one process; parts add theirs as they are composed (a worker adds the
    broker once its factory half exists)."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = check

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    def check(self, timeout: float = 3.0) -> list[Verdict]:
        """Every check's verdict, in the order they were added, within about ``timeout``."""
        answers: dict[str, str | None] = {}

        def run(name: str, check: Check) -> None:
            try:
                answers[name] = check()
            except Exception as exc:  # a broken check is a problem to report, not to raise
                answers[name] = f"the {name} check failed: {describe(exc)}"

        threads = [
            threading.Thread(target=run, args=item, name=f"health-{item[0]}", daemon=True)
            for item in self._checks.items()
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        unanswered = f"did not answer within {timeout:g} s"
        return [
            Verdict(name, answers.get(name, f"the {name} check {unanswered}"))
            for name in self._checks
        ]


def describe(exc: BaseException) -> str:
    """The driver's own words on one line (``connection refused``), not SQLAlchemy's wrapping."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = " ".join(str(cause).split()) or type(cause).__name__
    return text[:300]


def database_check(db: Database) -> Check:
    def reachable() -> str | None:
        try:
            db.ping()
        except Exception as exc:
            return f"the database is not reachable: {describe(exc)}"
        return None

    return reachable


def outbox_lag(db: Database) -> float:
    """Seconds the oldest unpublished outbox message has waited (0 when none waits)."""
    with db.read() as session:
        oldest = session.scalar(
            select(func.min(OutboxMessage.created_at)).where(OutboxMessage.published_at.is_(None))
        )
    return 0.0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())


def outbox_check(db: Database, limit_s: float) -> Check:
    def flowing() -> str | None:
        lag = outbox_lag(db)
        if lag <= limit_s:
            return None
        return (
            f"the outbox is {timedelta(seconds=round(lag))} behind (its oldest unpublished "
            f"message waits longer than {limit_s:g} s): is the relay stuck?"
        )

    return flowing
