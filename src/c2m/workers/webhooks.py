"""The webhook sender: claims due deliveries, POSTs them signed (Standard Webhooks) with aiohttp,
many at once, and records each attempt. One per worker process; any number of workers share
the work through the claims' leases.

aiohttp, not httpx: with 32 requests in flight httpx spent ~4.5 ms of CPU per POST here, aiohttp
~0.3 ms (docs/benchmarks.md, "Webhook delivery"), and at 1,000 deliveries a second the client
is the whole budget. It is imported when the sender starts, so web processes never load it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from standardwebhooks import Webhook

from c2m import __version__
from c2m.domains.integrations import deliveries
from c2m.domains.integrations.deliveries import Due, Outcome, Policy
from c2m.domains.integrations.schedule import RetrySchedule
from c2m.domains.integrations.signing_secrets import signing_secret
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database
from c2m.settings import Settings

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)
ERROR_LENGTH = 500
RECORD_BATCH = 200  # attempts recorded in one transaction at most
Result = tuple[Due, Outcome]


@dataclass(frozen=True)
class SenderConfig:
    secret_key: str
    policy: Policy
    timeout_s: float
    concurrency: int
    per_subscription: int
    poll_s: float

    @classmethod
    def of(cls, settings: Settings) -> SenderConfig:
        timeout = settings.webhook_timeout_seconds
        return cls(
            secret_key=settings.secret_key,
            policy=Policy(
                RetrySchedule(tuple(settings.webhook_retry_seconds)),
                disable_after=timedelta(seconds=settings.webhook_disable_after_seconds),
                lease=timedelta(seconds=timeout * 2 + 30),  # outlives any attempt in flight
            ),
            timeout_s=timeout,
            concurrency=settings.webhook_concurrency,
            per_subscription=settings.webhook_per_subscription,
            poll_s=settings.webhook_poll_seconds,
        )


def signed_request(due: Due, secret_key: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt, signed with the subscription's secret."""
    body = json.dumps(due.payload, separators=(",", ":"), ensure_ascii=False).encode()
    now = utcnow()
    secret = signing_secret(secret_key, due.subscription_id, due.secret_salt)
    headers = {
        "content-type": "application/json",
        "user-agent": f"c2m-webhooks/{__version__}",
        "webhook-id": due.delivery_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(due.delivery_id, now, body),
    }
    return body, headers


def _error(exc: Exception, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout_s:g} s"
    return (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:ERROR_LENGTH]


class WebhookSender:
    """Runs on an asyncio loop of its own, in a thread; ``wake`` may be called from any thread."""

    def __init__(self, db: Database, config: SenderConfig) -> None:
        self.db = db
        self.config = config
        self.rng = random.Random()  # noqa: S311 - jitter, not a secret
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._busy: dict[str, int] = {}  # deliveries in flight per subscription

    def wake(self) -> None:
        """Have the sender claim now. Skipped while a wake is pending: the loop clears the flag
        before it claims, so a claim still follows whatever was committed before this call."""
        loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None and not wakeup.is_set():
            with contextlib.suppress(RuntimeError):  # the loop has closed
                loop.call_soon_threadsafe(wakeup.set)

    def run(self, stop: threading.Event) -> None:
        asyncio.run(self._run(stop))

    async def _run(self, stop: threading.Event) -> None:
        self._loop, self._wakeup = asyncio.get_running_loop(), asyncio.Event()
        results: asyncio.Queue[Result] = asyncio.Queue()
        recorder = asyncio.create_task(self._record_results(results))
        tasks: set[asyncio.Task[None]] = set()
        import aiohttp

        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.config.timeout_s),
            connector=aiohttp.TCPConnector(limit=self.config.concurrency),
            auto_decompress=False,
        ) as client:
            try:
                while not stop.is_set():
                    self._wakeup.clear()
                    free = self.config.concurrency - len(tasks)
                    for due in await self._claim(free) if free > 0 else []:
                        task = asyncio.create_task(self._deliver(client, due, results))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wakeup.wait(), self.config.poll_s)
            finally:
                for task in tasks:
                    task.cancel()  # its lease runs out; another sender tries again
                await asyncio.gather(*tasks, return_exceptions=True)
                recorder.cancel()
                await asyncio.gather(recorder, return_exceptions=True)
                await self._record_batch(_drain(results, results.qsize()))
                self._loop = self._wakeup = None

    async def _claim(self, free: int) -> list[Due]:
        def claim() -> list[Due]:
            with self.db.write() as session:
                return deliveries.claim(
                    session,
                    utcnow(),
                    free,
                    self.config.per_subscription,
                    self._busy,
                    self.config.policy.lease,
                )

        try:
            claimed = await asyncio.to_thread(claim)
        except Exception:
            log.exception("claiming webhook deliveries failed; trying again")
            return []
        for due in claimed:
            self._busy[due.subscription_id] = self._busy.get(due.subscription_id, 0) + 1
        return claimed

    async def _deliver(
        self, client: aiohttp.ClientSession, due: Due, results: asyncio.Queue[Result]
    ) -> None:
        try:
            results.put_nowait((due, await self._post(client, due)))
        except Exception:
            log.exception("webhook delivery %s failed", due.delivery_id)
        finally:  # no longer in flight to its receiver; its lease keeps it until recorded
            self._release([due])

    async def _record_results(self, results: asyncio.Queue[Result]) -> None:
        """Record finished attempts, as many as have come in, in one transaction: under load
        one commit serves many deliveries."""
        while True:
            first = await results.get()
            await self._record_batch([first, *_drain(results, RECORD_BATCH - 1)])

    async def _record_batch(self, batch: list[Result]) -> None:
        if not batch:
            return
        try:
            await asyncio.to_thread(self._record, batch)
        except Exception:  # the leases run out and the attempts are made again
            log.exception("recording %d webhook attempts failed", len(batch))

    def _release(self, done: list[Due]) -> None:
        for due in done:
            left = self._busy.get(due.subscription_id, 1) - 1
            if left:
                self._busy[due.subscription_id] = left
            else:
                self._busy.pop(due.subscription_id, None)
        if self._wakeup is not None:
            self._wakeup.set()  # slots are free

    async def _post(self, client: aiohttp.ClientSession, due: Due) -> Outcome:
        import aiohttp

        body, headers = signed_request(due, self.config.secret_key)
        started = time.perf_counter()
        try:
            # Only the status counts: the answer's body is never read, however large.
            async with client.post(
                due.url, data=body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            elapsed = round((time.perf_counter() - started) * 1000)
            return Outcome(None, elapsed, _error(exc, self.config.timeout_s))
        return Outcome(status, round((time.perf_counter() - started) * 1000))

    def _record(self, batch: list[Result]) -> None:
        with self.db.write() as session:
            deliveries.record_all(session, batch, utcnow(), self.config.policy, self.rng)


def _drain(queue: asyncio.Queue[Result], most: int) -> list[Result]:
    """What is waiting in ``queue`` now, up to ``most``."""
    return [queue.get_nowait() for _ in range(min(most, queue.qsize()))]
