"""What the push and mail senders share: an event-bus batch handler that turns a relayed batch
into rows of ``outgoing_notifications`` (in the transaction that marks each outbox message
handled, so each is queued exactly once and survives a crash), and a thread that claims due
rows one at a time, sends them, and deletes or reschedules them. Any number of worker
processes share the rows through the claims' leases."""

from __future__ import annotations

import logging
import random
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from c2m.domains.integrations import outgoing
from c2m.domains.integrations.models import Channel
from c2m.domains.integrations.outgoing import Claimed
from c2m.domains.integrations.schedule import RetrySchedule
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database
from c2m.kernel.outbox import first_time

log = logging.getLogger(__name__)
POLL_SECONDS = 15.0  # the safety net for rows another process queued or a dead one held


class NotificationSender(ABC):
    """A channel's handler and sender; subclasses say which messages make which notifications
    and how one is sent. ``wake`` may be called from any thread."""

    channel: Channel

    def __init__(
        self,
        db: Database,
        *,
        retry_seconds: Sequence[float],
        timeout_s: float,
        poll_s: float = POLL_SECONDS,
    ) -> None:
        self.db = db
        self.retry_seconds = tuple(retry_seconds)
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.rng = random.Random()  # noqa: S311 - jitter, not a secret
        self._woken = threading.Event()

    @abstractmethod
    def wanted(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The relayed messages that may make a notification (read only: most make none)."""

    @abstractmethod
    def payloads(self, session: Session, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What to send for ``messages``, each as a row's JSON."""

    @abstractmethod
    def send(self, payload: dict[str, Any]) -> str | None:
        """Send one notification: None once done with it (sent, or refused for good), else why
        it failed this time, to try again."""

    @abstractmethod
    def describe(self, payload: dict[str, Any]) -> str:
        """The notification in a log line."""

    def __call__(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        """The bus's batch handler: queue a relayed batch's notifications, once per outbox
        message however often it is relayed."""
        messages = self.wanted([m for _, m in batch if "message_id" in m])
        if not messages:
            return
        with self.db.write() as session:
            fresh = [
                m for m in messages if first_time(session, self.channel.value, int(m["message_id"]))
            ]
            queued = outgoing.add(session, self.channel, self.payloads(session, fresh), utcnow())
        if queued:
            self.wake()

    def wake(self) -> None:
        """Have the sender look for due notifications now (or at its stop event)."""
        self._woken.set()

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.timeout_s * 2 + 30)  # outlives any attempt in flight

    def run(self, stop: threading.Event) -> None:
        """Send each notification when it is due, until ``stop``."""
        while not stop.is_set():
            self._woken.clear()  # before claiming: a wake from now on claims again
            try:
                wait = 0.0 if self._send_next() else self._idle_seconds()
            except Exception:
                log.exception("the %s sender failed; trying again", self.channel)
                wait = self.poll_s
            if wait > 0:
                self._woken.wait(wait)

    def _idle_seconds(self) -> float:
        with self.db.read() as session:
            due = outgoing.next_due(session, self.channel)
        if due is None:
            return self.poll_s
        return min(max((due - utcnow()).total_seconds(), 0.01), self.poll_s)

    def _send_next(self) -> bool:
        """Claim, send and record one due notification; False if none was due."""
        with self.db.write() as session:
            claimed = outgoing.claim(session, self.channel, utcnow(), self.lease)
        if claimed is None:
            return False
        try:
            failed = self.send(claimed.payload)
        except Exception as unexpected:  # a bug or a bad row: retried, then given up
            log.exception("sending %s failed", self.describe(claimed.payload))
            failed = type(unexpected).__name__
        self._record(claimed, failed)
        return True

    def _record(self, claimed: Claimed, failed: str | None) -> None:
        what = self.describe(claimed.payload)
        schedule = RetrySchedule(self.retry_seconds)
        wait = None if failed is None else schedule.after_failure(claimed.attempt, self.rng)
        with self.db.write() as session:
            if wait is None:
                outgoing.finish(session, claimed)
            else:
                outgoing.retry(session, claimed, utcnow() + wait)
        if failed is not None and wait is None:
            log.error("%s failed (%s) %d times and is dropped", what, failed, claimed.attempt)
        elif wait is not None:
            log.warning(
                "%s failed (%s); trying again in %.1f s", what, failed, wait.total_seconds()
            )
