"""In-process event bus: publishers on any thread, subscribers on asyncio loops or plain callbacks.

The bus carries notifications, not truth: the database is the record, so a subscriber that misses a
message (queue full, process restart) catches up from the database.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Message = dict[str, Any]
Handler = Callable[[str, Message], None]
#: Called once with a relayed batch's messages (topic, message) whose topic matches, in order.
BatchHandler = Callable[[list[tuple[str, Message]]], None]

#: Key of a message that carries no content, only "read the record again".
CATCH_UP = "catch_up"


@dataclass(eq=False)
class Subscription:
    """An asyncio queue fed by the bus for one topic; close it when the listener goes away."""

    topic: str
    queue: asyncio.Queue[Message]
    loop: asyncio.AbstractEventLoop
    bus: EventBus
    dropped: int = field(default=0)

    def deliver(self, message: Message) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # A listener this far behind is told only "catch up": it re-reads the database.
            self.dropped += 1
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait({CATCH_UP: True})

    def close(self) -> None:
        self.bus.unsubscribe(self)


def _deliver_all(group: list[Subscription], message: Message) -> None:
    """Runs on the subscribers' loop: hand ``message`` to each of them."""
    for sub in group:
        sub.deliver(message)


class EventBus:
    """Topic-based fan-out; thread-safe."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._handlers: list[tuple[str, Handler]] = []
        self._batch_handlers: list[tuple[str, BatchHandler]] = []
        self._queue_size = queue_size

    def subscribe(self, topic: str) -> Subscription:
        """Listen to a topic from the running asyncio loop."""
        sub = Subscription(topic, asyncio.Queue(self._queue_size), asyncio.get_running_loop(), self)
        with self._lock:
            self._subscriptions.setdefault(topic, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subscriptions.get(sub.topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscriptions[sub.topic]

    def add_handler(self, prefix: str, handler: Handler) -> None:
        """Call ``handler`` synchronously for every message whose topic starts with ``prefix``."""
        with self._lock:
            self._handlers.append((prefix, handler))

    def add_batch_handler(self, prefix: str, handler: BatchHandler) -> None:
        """Call ``handler`` once per published batch with its messages under ``prefix``: a
        handler that writes per message pays one transaction per batch, not per message."""
        with self._lock:
            self._batch_handlers.append((prefix, handler))

    def publish_batch(self, messages: list[tuple[str, Message]]) -> None:
        """Publish each message in order (subscribers and handlers), then give each batch
        handler its share of the batch."""
        for topic, message in messages:
            self.publish(topic, message)
        with self._lock:
            batch_handlers = list(self._batch_handlers)
        for prefix, handler in batch_handlers:
            mine = [(topic, message) for topic, message in messages if topic.startswith(prefix)]
            if mine:
                try:
                    handler(mine)
                except Exception:
                    log.exception("batch handler failed on %d messages of %s", len(mine), prefix)

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._subscriptions.get(topic, ()))

    def watched_topics(self, prefix: str) -> list[str]:
        """Topics starting with ``prefix`` that someone in this process listens to."""
        with self._lock:
            return [topic for topic in self._subscriptions if topic.startswith(prefix)]

    def publish(self, topic: str, message: Message, *, to_handlers: bool = True) -> None:
        """Deliver to every subscriber of ``topic`` and (unless told not to) every handler
        whose prefix matches; catch-up notices are for listeners only."""
        with self._lock:
            subs = list(self._subscriptions.get(topic, ()))
            handlers = [
                h for prefix, h in self._handlers if to_handlers and topic.startswith(prefix)
            ]
        # One wake-up per event loop, not per subscriber: with thousands of live timelines on
        # one order, a self-pipe write and a callback each would cost more than the delivery.
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscription]] = {}
        for sub in subs:
            by_loop.setdefault(sub.loop, []).append(sub)
        for loop, group in by_loop.items():
            try:
                loop.call_soon_threadsafe(_deliver_all, group, message)
            except RuntimeError:  # the subscribers' loop has closed
                for sub in group:
                    self.unsubscribe(sub)
        for handler in handlers:
            try:
                handler(topic, message)
            except Exception:
                log.exception("event handler failed for %s", topic)
