"""The MQTT ingest loop: every machine message into the database, in batches, forever.

A persistent session (QoS 1, one client id per worker) subscribed to what machines report. A
message is acknowledged to the broker only once it is in the database, so a worker that stops
mid-batch loses nothing: the broker delivers it again to its session. (Not so with the embedded
broker, which lives and dies in the same process: there messages are acknowledged on receipt.)

With several workers, each writes the messages of the factories it leads (``lead``) and keeps
the others' last ``standby_s`` seconds in memory: when it takes a factory over from a worker that
died, it first writes what that factory's machines said lately, so what the dead worker heard
but never stored is not lost (the ingest ignores what it already has). Partitioning by factory
instead of an MQTT 5 shared subscription keeps each machine's messages in order in one writer,
and does not depend on a broker handing a dead member's in-flight messages to another (Mosquitto
2 does not: eclipse-mosquitto/mosquitto#2662).

Receiving and writing are decoupled: messages gather in memory for ``linger_s`` and are written
by a thread, one transaction per batch, so the loop keeps reading while the database works. A
lost broker is retried with back-off; on every (re)connection the machine directory is read
again from the database before subscribing, and once subscribed it asks every machine it knows
to restate (a rebirth request): what a machine said while no ingest was subscribed, after a
broker without persistence restarted, is said again and not lost. A batch the database refuses
is retried message by message, so one poisonous message is dropped (with its reason) instead of
stalling the loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

import aiomqtt
from sqlalchemy.exc import OperationalError

from c2m.domains.factory.contract import COMMAND, REBIRTH, REPORTS, ROOT, topic
from c2m.domains.factory.ingest import Ingest, IngestStats, Raw
from c2m.kernel.db import Database
from c2m.kernel.metrics import INGEST_DROPPED, INGEST_RECEIVED
from c2m.kernel.mqtt import BrokerConnection, failure
from c2m.kernel.tasks import cancel

log = logging.getLogger(__name__)
SESSION_EXPIRY_S = 3600
"""How long an MQTT 5 broker keeps a stopped worker's session (and what it did not store)."""
REFUSED = "refused by the database"
"""Why a message the database would not take, even alone, is dropped."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """How to acknowledge a message once it is stored: on which connection, which packet."""

    connection: int
    mid: int
    qos: int


class IngestWorker:
    def __init__(
        self,
        db: Database,
        broker: BrokerConnection,
        *,
        lease_s: float,
        client_id: str = "c2m-ingest",
        mqtt5: bool = False,
        standby_s: float = 30.0,
        batch: int = 5000,
        linger_s: float = 0.05,
        acknowledge_on_receipt: bool = False,
    ) -> None:
        self.db = db
        self.broker = broker
        self.client_id = client_id
        self.mqtt5 = mqtt5
        self.standby_s = standby_s
        #: Codes of the factories whose messages this worker writes; None: every factory.
        self.leading: set[str] | None = None
        self._standby: defaultdict[str, deque[Raw]] = defaultdict(deque)
        self.batch = batch
        self.linger_s = linger_s
        #: For a broker in this very process (the embedded one): what it holds dies with us
        #: anyway, and amqtt gives up on a message not acknowledged within 5 s (and says so).
        self.acknowledge_on_receipt = acknowledge_on_receipt
        self.ingest = Ingest(lease_s)
        self.stats = IngestStats()
        self.connections = 0
        self._session_no = 0  # connections tried: which one a receipt belongs to
        self.connected = asyncio.Event()
        #: Why the broker is not connected, in words (for ``/readyz``); None while connected.
        self.problem: str | None = "not connected to the MQTT broker yet"
        self._buffer: list[Raw] = []
        self._taken = 0  # messages ever taken from the buffer...
        self._written = 0  # ...and of those, written
        self._receipts: list[Receipt] = []  # of the buffered messages that need an ack
        self._client: aiomqtt.Client | None = None
        self._arrived = asyncio.Event()

    async def run(self) -> None:
        """Until cancelled; what was received but not yet written is written on the way out."""
        writer = asyncio.create_task(self._write_loop())
        try:
            await self._connect_loop()
        finally:
            await cancel(writer)
            if self._buffer:
                await asyncio.to_thread(self._write, self._take())

    def lead(self, factories: set[str]) -> None:
        """From now on write the messages of ``factories`` (codes), first what their machines
        said in the last ``standby_s`` seconds."""
        before = self.leading or set()
        for code in sorted(factories - before):
            kept = self._standby.pop(code, deque())
            self._buffer.extend(kept)  # acknowledged when kept: no receipts
            if kept:
                self._arrived.set()
        self.leading = set(factories)

    async def drained(self) -> None:
        """Wait until everything received so far is in the database (not what arrives while
        waiting: machines that never fall silent must not keep a takeover waiting)."""
        target = self._taken + len(self._buffer)
        while self._written < target:
            await asyncio.sleep(self.linger_s)

    async def _connect_loop(self) -> None:
        backoff = 0.1
        while True:
            try:
                # The directory first: messages go to _receive as they arrive (see _inbox).
                await asyncio.to_thread(self._reconcile)
                self._session_no += 1
                client = self._session()
                # Acknowledge only what is stored (aiomqtt#345: paho's manual acks), set before
                # connecting since a persistent session's backlog arrives right after.
                client._client.manual_ack_set(not self.acknowledge_on_receipt)
                self._client = client
                async with client:
                    await client.subscribe([(kind, 1) for kind in REPORTS])
                    await self._ask_to_restate(client)
                    self.connections += 1
                    self.connected.set()
                    self.problem = None
                    backoff = 0.1
                    async for _ in client.messages:  # none come here (see _inbox): it waits
                        pass  # for the broker to go away
            except aiomqtt.MqttError as exc:
                self.connected.clear()
                self._client = None
                self.problem = failure(self.broker, exc)
                log.warning("MQTT ingest: %s; trying again in %.1f s", self.problem, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _ask_to_restate(self, client: aiomqtt.Client) -> None:
        """A rebirth request to every known machine; what they say again is ignored if stored."""
        machines = self.ingest.directory.topics()
        await asyncio.gather(
            *(client.publish(topic(f, m, COMMAND), REBIRTH, qos=1) for f, m in machines)
        )
        log.debug("MQTT ingest: asked %d machines to restate", len(machines))

    def _receive(self, message: aiomqtt.Message) -> None:
        """One message, as it arrives: only what cannot wait for the batch. QoS 0 messages
        (telemetry) need no acknowledgement, so no receipt, nor any message acknowledged on
        receipt."""
        raw = (message.topic.value, _bytes(message.payload), time.time())
        needs_ack = message.qos and not self.acknowledge_on_receipt
        receipt = Receipt(self._session_no, message.mid, message.qos) if needs_ack else None
        if self.leading is not None and self._keeps(raw):
            if receipt is not None:
                self._acknowledge([receipt])
            return
        self._buffer.append(raw)
        if receipt is not None:
            self._receipts.append(receipt)
        self._arrived.set()

    def _keeps(self, raw: Raw) -> bool:
        """Keep a message of a factory led elsewhere for a while, instead of writing it."""
        parts = raw[0].split("/", 3)
        if self.leading is None or len(parts) < 4 or f"{parts[0]}/{parts[1]}" != ROOT:
            return False  # everything is ours, or it is malformed: the ingest says why
        code = parts[2]
        if code in self.leading:
            return False
        kept = self._standby[code]
        kept.append(raw)
        while kept and kept[0][2] < raw[2] - self.standby_s:
            kept.popleft()
        return True

    def _session(self) -> aiomqtt.Client:
        """A persistent session: MQTT 5 with an expiry on external brokers (a worker that never
        comes back leaves nothing behind), 3.1.1 on the embedded one."""
        return self.broker.client(
            self.client_id,
            persistent=True,
            mqtt5=self.mqtt5,
            session_expiry_s=SESSION_EXPIRY_S,
            keepalive=10,
            queue_type=_inbox(self._receive),
        )

    def _acknowledge(self, receipts: list[Receipt]) -> None:
        """Tell the broker these are stored; those of an older connection come again anyway."""
        client = self._client
        if client is None:
            return
        for receipt in receipts:
            if receipt.connection == self._session_no:
                client._client.ack(receipt.mid, receipt.qos)

    def _reconcile(self) -> None:
        with self.db.read() as session:
            self.ingest.directory.load(session)

    async def _write_loop(self) -> None:
        while True:
            await self._arrived.wait()
            await asyncio.sleep(self.linger_s)  # let a batch gather
            self._arrived.clear()
            receipts, self._receipts = self._receipts, []
            taken = self._take()
            try:
                await asyncio.to_thread(self._write, taken)
            finally:
                self._written += len(taken)
            self._acknowledge(receipts)

    def _take(self) -> list[Raw]:
        taken, self._buffer = self._buffer, []
        self._taken += len(taken)
        return taken

    def _write(self, messages: list[Raw]) -> None:
        INGEST_RECEIVED.inc(len(messages))
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
                        self.ingest.drop_log(REFUSED, message[0], str(exc))
                        self.stats.dropped += 1
                        INGEST_DROPPED.labels(REFUSED).inc()

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
        for reason, count in stats.reasons.items():
            INGEST_DROPPED.labels(reason).inc(count)


def _inbox(receive: Callable[[aiomqtt.Message], None]) -> type[asyncio.Queue[aiomqtt.Message]]:
    """aiomqtt's queue of arrived messages, made to hand each to ``receive`` at once (on the
    event loop, in order) instead of queueing it for ``client.messages``, which costs a task
    and a wait per message: a third of the receiving."""

    class Inbox(asyncio.Queue[aiomqtt.Message]):
        def put_nowait(self, item: aiomqtt.Message) -> None:
            receive(item)

    return Inbox


def _bytes(payload: object) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    return b"" if payload is None else str(payload).encode()
