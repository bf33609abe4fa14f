"""Group commit: the writes of many concurrent requests in one transaction.

Requests that arrive while one batch is being written form the next, so an idle system answers
each at once and a busy one spends one commit and a few set-based statements on dozens of
requests instead of a transaction each. Nothing is answered before its batch has committed, so a
crash loses only unanswered requests, which their clients retry.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from c2m.kernel.db import Database

Item = TypeVar("Item")
Result = TypeVar("Result")

Entry = tuple[Item, "Future[Result]"]


class GroupWriter(Generic[Item, Result]):
    """One thread writing batches of items with ``write(session, items)``.

    ``write`` returns one result per item, or the exception that item's caller should get; if
    it raises, the batch is rolled back and its items are written again one at a time, so one
    bad item fails alone. Items with the same ``exclusive`` key (an Idempotency-Key) never share
    a batch: the later one waits for the next and sees the earlier one committed.

    Submitters answered together come back together, but not at once: the first few would make
    a small batch of their own and the rest another, two commits where one would do. With
    ``gather`` (seconds), a batch smaller than the one before waits that long at most for the
    rest; an idle system (a batch of one before) never waits.
    """

    def __init__(
        self,
        db: Database,
        write: Callable[[Session, Sequence[Item]], Sequence[Result | Exception]],
        *,
        name: str,
        exclusive: Callable[[Item], Hashable | None] = lambda _item: None,
        max_batch: int = 64,
        gather: float = 0.0,
    ) -> None:
        self.db = db
        self.write = write
        self.name = name
        self.exclusive = exclusive
        self.max_batch = max_batch
        self.gather = gather
        self._last_size = 0  # the size of the batch before, which its submitters may refill
        self._queue: queue.SimpleQueue[Entry[Item, Result] | None] = queue.SimpleQueue()
        self._waiting: list[Entry[Item, Result]] = []  # deferred to the next batch
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    async def submit(self, item: Item) -> Result:
        """Write ``item`` in the next batch; its result once that batch has committed."""
        return await asyncio.wrap_future(self.enqueue(item))

    def enqueue(self, item: Item) -> Future[Result]:
        with self._starting:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        future: Future[Result] = Future()
        self._queue.put((item, future))
        return future

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the thread."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        closing = False
        while True:
            batch, closing = self._next_batch(closing)
            if batch:
                self._write(batch)
            elif closing and not self._waiting and self._queue.empty():
                return

    def _next_batch(self, closing: bool) -> tuple[list[Entry[Item, Result]], bool]:
        """Deferred entries first, then whatever has arrived; waiting for more only until the
        batch is as big as the one before, and ``gather`` seconds at most."""
        pending, self._waiting = self._waiting, []
        deadline: float | None = None
        while len(pending) < self.max_batch:
            wait: float | None = None  # idle: until something comes
            if closing or (pending and len(pending) >= self._last_size):
                wait = 0.0  # what has arrived only
            elif pending:
                if deadline is None:
                    deadline = time.monotonic() + self.gather
                wait = max(0.0, deadline - time.monotonic())
            try:
                entry = self._queue.get(timeout=wait) if wait != 0.0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if entry is None:
                closing = True
            else:
                pending.append(entry)
        self._last_size = len(pending)
        batch: list[Entry[Item, Result]] = []
        keys: set[Hashable] = set()
        for entry in pending:
            key = self.exclusive(entry[0])
            if key is not None and key in keys:
                self._waiting.append(entry)
                continue
            if key is not None:
                keys.add(key)
            if entry[1].set_running_or_notify_cancel():  # a caller gone before the write: skip
                batch.append(entry)
        return batch, closing

    def _write(self, batch: list[Entry[Item, Result]]) -> None:
        try:
            with self.db.write() as session:
                results = self.write(session, [item for item, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0][1].set_exception(error)
            else:
                for entry in batch:
                    self._write([entry])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
