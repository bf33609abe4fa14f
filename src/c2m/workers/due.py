"""A queue of work that comes due at a time (now, or after a retry's wait), for a sender's
thread: the push and mail senders take from it one item at a time."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(order=True, frozen=True)
class Due(Generic[T]):
    at: float
    number: int  # ties broken by arrival
    item: T = field(compare=False)
    attempt: int = field(compare=False)  # 0 for the first


class DueQueue(Generic[T]):
    def __init__(self) -> None:
        self._due: list[Due[T]] = []
        self._numbers = itertools.count()
        self._changed = threading.Condition()

    def put(self, item: T, attempt: int = 0, delay: float = 0.0) -> None:
        with self._changed:
            due = Due(time.monotonic() + delay, next(self._numbers), item, attempt)
            heapq.heappush(self._due, due)
            self._changed.notify_all()

    def wake(self) -> None:
        """Let a thread waiting in ``take`` look at its stop event."""
        with self._changed:
            self._changed.notify_all()

    def take(self, stop: threading.Event) -> Due[T] | None:
        """The next item once it is due; None once ``stop`` is set."""
        with self._changed:
            while not stop.is_set():
                now = time.monotonic()
                if self._due and self._due[0].at <= now:
                    return heapq.heappop(self._due)
                self._changed.wait(self._due[0].at - now if self._due else 1.0)
        return None
