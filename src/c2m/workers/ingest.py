"""The MQTT ingest loop: every machine message into the database, in batches, forever.

One persistent subscription (QoS 1, a fixed client id) on ``c2m/v1/+/+/#``. Receiving and writing
are decoupled: messages gather in memory for ``linger_s`` and are written by a thread, one
transaction per batch, so the loop keeps reading while the database works. A lost broker is
retried with back-off; on every (re)connection the machine directory is read again from the
database before subscribing. A batch the database refuses is retried message by message, so one
poisonous message is dropped (with its reason) instead of stalling the loop.
"""

from __future__ import annotations

import asyncio
import logging
import time

import aiomqtt
from sqlalchemy.exc import OperationalError

from c2m.domains.factory.contract import SUBSCRIPTION
from c2m.domains.factory.ingest import Ingest, IngestStats, Raw
from c2m.kernel.db import Database

log = logging.getLogger(__name__)


class IngestWorker:
    def __init__(
        self,
        db: Database,
        host: str,
        port: int,
        *,
        lease_s: float,
        client_id: str = "c2m-ingest",
        batch: int = 5000,
        linger_s: float = 0.05,
    ) -> None:
        self.db = db
        self.host, self.port = host, port
        self.client_id = client_id
        self.batch = batch
        self.linger_s = linger_s
        self.ingest = Ingest(lease_s)
        self.stats = IngestStats()
        self.connections = 0
        self.connected = asyncio.Event()
        self._buffer: list[Raw] = []
        self._arrived = asyncio.Event()
        self._idle = asyncio.Event()

    async def run(self) -> None:
        """Until cancelled; what was received but not yet written is written on the way out."""
        writer = asyncio.create_task(self._write_loop())
        try:
            await self._connect_loop()
        finally:
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
            if self._buffer:
                await asyncio.to_thread(self._write, self._take())

    async def drained(self) -> None:
        """Wait until everything received so far is in the database (for tests and benchmarks)."""
        while self._buffer or not self._idle.is_set():
            await asyncio.sleep(self.linger_s)

    async def _connect_loop(self) -> None:
        backoff = 0.1
        while True:
            try:
                async with aiomqtt.Client(
                    self.host,
                    self.port,
                    identifier=self.client_id,
                    clean_session=False,
                    keepalive=10,
                ) as client:
                    await asyncio.to_thread(self._reconcile)
                    await client.subscribe(SUBSCRIPTION, qos=1)
                    self.connections += 1
                    self.connected.set()
                    backoff = 0.1
                    async for message in client.messages:
                        self._buffer.append(
                            (message.topic.value, _bytes(message.payload), time.time())
                        )
                        self._arrived.set()
            except aiomqtt.MqttError as exc:
                self.connected.clear()
                log.warning("MQTT ingest lost %s:%s (%s); retrying", self.host, self.port, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _reconcile(self) -> None:
        with self.db.read() as session:
            self.ingest.directory.load(session)

    async def _write_loop(self) -> None:
        while True:
            self._idle.set()
            await self._arrived.wait()
            self._idle.clear()
            await asyncio.sleep(self.linger_s)  # let a batch gather
            self._arrived.clear()
            await asyncio.to_thread(self._write, self._take())

    def _take(self) -> list[Raw]:
        taken, self._buffer = self._buffer, []
        return taken

    def _write(self, messages: list[Raw]) -> None:
        for start in range(0, len(messages), self.batch):
            chunk = messages[start : start + self.batch]
            try:
                self._apply_until_stored(chunk)
            except Exception:
                log.exception("a batch of %d messages failed; applying them one by one", len(chunk))
                for message in chunk:
                    try:
                        self._apply([message])
                    except Exception as exc:
                        log.warning("dropped a message on %r: %s", message[0][:200], exc)
                        self.stats.dropped += 1

    def _apply_until_stored(self, messages: list[Raw]) -> None:
        """A database that is away (or locked) is waited for; the messages are not dropped."""
        while True:
            try:
                self._apply(messages)
                return
            except OperationalError as exc:
                log.warning("cannot write machine messages yet (%s); retrying", exc.orig)
                time.sleep(1.0)

    def _apply(self, messages: list[Raw]) -> None:
        with self.db.write() as session:
            stats = self.ingest.apply(session, messages)
        self.stats.add(stats)


def _bytes(payload: object) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    return b"" if payload is None else str(payload).encode()
