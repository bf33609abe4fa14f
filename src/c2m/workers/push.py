"""The Web Push sender: turns the relayed timeline into notifications for the phones that
asked (an event-bus batch handler, which queues them as rows: ``workers.notifications``), and
sends them from a thread of its own, encrypted (aes128gcm) and signed with the install's VAPID
key. A push service that answers 404 or 410 has forgotten the phone, so the subscription goes;
one that fails (5xx, 429, no answer) is asked again later, a few times. pywebpush (and the
crypto beneath it) is imported at the first send, so web processes never load it."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from c2m.domains.integrations.models import Channel
from c2m.domains.integrations.push import Push, forget, pushes
from c2m.kernel.db import Database
from c2m.kernel.vapid import vapid_keys
from c2m.workers.notifications import NotificationSender

log = logging.getLogger(__name__)
GONE = frozenset({404, 410})
RETRY_SECONDS = (2.0, 10.0, 60.0)  # waits before the second, third, fourth attempt
TIME_TO_LIVE = 24 * 3600  # a phone off for a day still hears of its order


class PushSender(NotificationSender):
    channel = Channel.PUSH

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        contact: str,
        *,
        retry_seconds: Sequence[float] = RETRY_SECONDS,
        timeout_s: float = 10.0,
    ) -> None:
        super().__init__(db, retry_seconds=retry_seconds, timeout_s=timeout_s)
        self.data_dir = data_dir
        self.contact = contact  # the VAPID "sub": whom a push service writes to about abuse

    def wanted(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The messages of orders a phone asked about (most have none)."""
        timeline = [m for m in messages if "order_id" in m]
        with self.db.read() as session:
            asked = {push.order_id for push in pushes(session, timeline)}
        return [m for m in timeline if m["order_id"] in asked]

    def payloads(self, session: Session, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [dataclasses.asdict(push) for push in pushes(session, messages)]

    def describe(self, payload: dict[str, Any]) -> str:
        return f"a push to {str(payload['endpoint'])[:60]}"

    def send(self, payload: dict[str, Any]) -> str | None:
        from pywebpush import WebPushException, webpush
        from requests import RequestException

        push = Push(**payload)
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
            return None
        except WebPushException as failed:
            status = failed.response.status_code if failed.response is not None else None
        except RequestException:
            status = None
        if status in GONE:
            with self.db.write() as session:
                forget(session, push.subscription_id)
            log.info("a phone unsubscribed from order news (%s); forgotten", status)
        elif status is None or status >= 500 or status == 429:
            return f"the push service answered {status}" if status else "no answer"
        else:
            log.warning("a push was refused (%s) and is dropped", status)
        return None
