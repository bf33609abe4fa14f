"""Live timelines across processes.

The outbox relay of whichever process takes a row publishes it on that process's bus only. On
PostgreSQL every committed timeline event is also announced with NOTIFY (a trigger on the outbox,
migration 0009), and each web process forwards what it hears to its own subscribers at once. As
the safety net (and the only way on SQLite) each process also watches the orders someone follows
there: one query for their ``last_seq`` every ``sse_poll_seconds``, and a catch-up notice on the
bus for any order that moved further than this process has heard. Listeners then re-read the
timeline from the database, which holds every event.

Chosen over publishing through the MQTT broker: NOTIFY is sent by the commit itself, so no event
can be committed and never announced (a relay killed between commit and publish), the web tier
needs no broker connection or credentials, and the machines' bus carries only machines' traffic.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from sqlalchemy import select

from c2m.domains.orders.events import TOPIC_PREFIX, order_topic
from c2m.domains.orders.models import Order
from c2m.kernel.bus import CATCH_UP, EventBus
from c2m.kernel.db import Database
from c2m.kernel.notifications import listen

CHANNEL = "c2m_timeline"
"""Where migration 0009's trigger announces committed timeline events."""

log = logging.getLogger(__name__)
CHUNK = 500


class TimelineWatcher:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus
        self._heard: dict[str, int] = {}
        self._lock = threading.Lock()
        bus.add_handler(TOPIC_PREFIX, self._hear)

    def _hear(self, _topic: str, message: dict[str, Any]) -> None:
        order_id, seq = message.get("order_id"), message.get("seq")
        if isinstance(order_id, str) and isinstance(seq, int):
            with self._lock:
                self._heard[order_id] = max(seq, self._heard.get(order_id, 0))

    def subscribers(self) -> int:
        """Live timeline streams open in this process (one bus subscription each)."""
        return sum(map(self.bus.subscriber_count, self.bus.watched_topics(TOPIC_PREFIX)))

    def check_once(self) -> int:
        """Send catch-up notices for watched orders that moved unheard; returns how many."""
        watched = [
            topic.removeprefix(TOPIC_PREFIX).removesuffix(".events")
            for topic in self.bus.watched_topics(TOPIC_PREFIX)
        ]
        watching = set(watched)
        with self._lock:  # forget orders nobody here follows any more
            self._heard = {oid: seq for oid, seq in self._heard.items() if oid in watching}
        behind: list[tuple[str, int]] = []
        with self.db.read() as session:
            for start in range(0, len(watched), CHUNK):
                chunk = watched[start : start + CHUNK]
                rows = session.execute(
                    select(Order.id, Order.last_seq).where(Order.id.in_(chunk))
                ).all()
                with self._lock:
                    for order_id, last_seq in rows:
                        if last_seq > self._heard.get(order_id, 0):
                            self._heard[order_id] = last_seq
                            behind.append((order_id, last_seq))
        for order_id, last_seq in behind:
            self.bus.publish(
                order_topic(order_id), {CATCH_UP: True, "seq": last_seq}, to_handlers=False
            )
        return len(behind)

    def listen(self, url: str, stop: threading.Event) -> None:
        """Forward timeline events announced by PostgreSQL until ``stop`` (blocks)."""
        listen(url, CHANNEL, stop, self._announced, self.check_once)

    def _announced(self, body: str) -> None:
        note = json.loads(body)
        topic = note["topic"]
        if "payload" in note:
            message = {**note["payload"], "message_id": note["id"]}
            self._hear(topic, message)
        else:  # too large for a notification: listeners read it from the database
            message = {CATCH_UP: True, "seq": note["seq"]}
        self.bus.publish(topic, message, to_handlers=False)

    def run(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every):
            try:
                self.check_once()
            except Exception:
                log.exception("timeline watcher failed; retrying")
