"""The Web Push sender: turns the relayed timeline into notifications for the phones that
asked (an event-bus batch handler), and sends them from a thread of its own, encrypted
(aes128gcm) and signed with the install's VAPID key. A push service that answers 404 or 410
has forgotten the phone, so the subscription goes; one that fails (5xx, 429, no answer) is
asked again later, a few times. pywebpush (and the crypto beneath it) is imported at the first
send, so web processes never load it."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from c2m.domains.integrations.push import Push, forget, pushes
from c2m.kernel.db import Database
from c2m.kernel.outbox import first_time
from c2m.kernel.vapid import vapid_keys
from c2m.workers.due import Due, DueQueue

log = logging.getLogger(__name__)
CONSUMER = "push"
GONE = frozenset({404, 410})
RETRY_SECONDS = (2.0, 10.0, 60.0)  # waits before the second, third, fourth attempt
TIME_TO_LIVE = 24 * 3600  # a phone off for a day still hears of its order


class PushSender:
    def __init__(
        self,
        db: Database,
        data_dir: Path,
        contact: str,
        *,
        retry_seconds: Sequence[float] = RETRY_SECONDS,
        timeout_s: float = 10.0,
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.contact = contact  # the VAPID "sub": whom a push service writes to about abuse
        self.retry_seconds = tuple(retry_seconds)
        self.timeout_s = timeout_s
        self.queue: DueQueue[Push] = DueQueue()

    def __call__(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        """The bus's batch handler: queue the notifications of a relayed batch, once per
        outbox message however often it is relayed."""
        messages = [m for _, m in batch if "message_id" in m and "order_id" in m]
        with self.db.read() as session:  # most orders have no phone: no write for those
            wanted = {push.order_id for push in pushes(session, messages)}
        if not wanted:
            return
        with self.db.write() as session:
            fresh = [
                m
                for m in messages
                if m["order_id"] in wanted and first_time(session, CONSUMER, int(m["message_id"]))
            ]
            found = pushes(session, fresh)
        for push in found:
            self.queue.put(push)

    def wake(self) -> None:
        self.queue.wake()

    def run(self, stop: threading.Event) -> None:
        """Send each notification when it is due, until ``stop``."""
        while not stop.is_set():
            due = self.queue.take(stop)
            if due is not None:
                try:
                    self._send(due)
                except Exception:
                    log.exception("a push to %s failed", due.item.endpoint[:60])

    def _send(self, due: Due[Push]) -> None:
        from pywebpush import WebPushException, webpush
        from requests import RequestException

        push = due.item
        keys = vapid_keys(self.data_dir)
        status: int | None
        try:
            webpush(
                {"endpoint": push.endpoint, "keys": {"p256dh": push.p256dh, "auth": push.auth}},
                json.dumps(push.payload, ensure_ascii=False),
                vapid_private_key=keys.private_key,
                vapid_claims={"sub": self.contact},
                timeout=self.timeout_s,
                ttl=TIME_TO_LIVE,
            )
            return
        except WebPushException as failed:
            status = failed.response.status_code if failed.response is not None else None
        except RequestException:
            status = None
        if status in GONE:
            with self.db.write() as session:
                forget(session, push.subscription_id)
            log.info("a phone unsubscribed from order news (%s); forgotten", status)
        elif (status is None or status >= 500 or status == 429) and due.attempt < len(
            self.retry_seconds
        ):
            self.queue.put(push, due.attempt + 1, self.retry_seconds[due.attempt])
        else:
            log.warning("a push was refused (%s) and is dropped", status or "no answer")
