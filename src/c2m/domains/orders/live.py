"""Live timelines across processes.

The outbox relay of whichever process takes a row publishes it on that process's bus only. So each
process also watches the orders someone follows there: one query for their ``last_seq`` every
``sse_poll_seconds``, and a catch-up notice on the bus for any order that moved further than this
process has heard. Listeners then re-read the timeline from the database, which holds every event.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import select

from c2m.domains.orders.events import TOPIC_PREFIX, order_topic
from c2m.domains.orders.models import Order
from c2m.kernel.bus import CATCH_UP, EventBus
from c2m.kernel.db import Database

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

    def run(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every):
            try:
                self.check_once()
            except Exception:
                log.exception("timeline watcher failed; retrying")
