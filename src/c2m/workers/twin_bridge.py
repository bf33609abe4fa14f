"""The digital twin on a real broker: each simulated machine is one MQTT client.

Per machine, a connection opened at its birth carries the death (same ``bdSeq``) as its MQTT
will, publishes the machine's events with QoS 1 in order, and listens on its ``cmd`` topic
(QoS 1, persistent session). Commands go to the twin, which runs each attempt id at most once.

SimPy is driven from one thread; this module moves messages between that thread and the
asyncio loop. A message is retried until the broker acknowledges it; after a reconnection, and
whenever the platform asks (a rebirth request on ``cmd``), the machine says its recent messages
again (birth first, telemetry aside), which the ingest ignores if it had them: a broker restart
loses no event, whichever of the ingest and the machines is back first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import threading
import time
from asyncio import FIRST_COMPLETED
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiomqtt

from c2m.domains.factory.contract import COMMAND, encode, is_rebirth, topic
from c2m.engines.simulation import JobCommand, TwinError, TwinEvent
from c2m.kernel.mqtt import BrokerConnection, failure
from c2m.kernel.tasks import cancel

if TYPE_CHECKING:
    from c2m.engines.simulation import Twin  # SimPy: the caller built the twin, we only drive it

log = logging.getLogger(__name__)
RECONNECT_S = 1.0
"""How long a machine that lost its broker waits before it connects again (doubling to 4 s), as
devices do so that a restarted broker is not hit by every machine at once. The platform's ingest
retries sooner (from 0.1 s), so it has usually subscribed again before the machines speak: a
broker without persistence keeps nothing for a subscriber that is not back yet."""

RESTATE = "restate"
"""The kind of the queued marker that has a machine say its recent messages again."""

REPLAYED = 512
"""How many of a machine's latest messages (not telemetry) are said again after a reconnection;
the broker may have taken some without delivering them before it went away."""

Control = Callable[["Twin"], object]


def client_id(factory: str, machine: str) -> str:
    """One persistent MQTT session per simulated machine, so commands wait while it is away."""
    return f"c2m-twin-{factory}-{machine}"


@dataclass(frozen=True, slots=True)
class _Out:
    kind: str
    topic: str
    payload: bytes
    bd_seq: int | None = None


@dataclass
class _Link:
    machine: str
    queue: asyncio.Queue[_Out] = field(default_factory=asyncio.Queue)
    birth: _Out | None = None
    replay: deque[_Out] = field(default_factory=lambda: deque(maxlen=REPLAYED))
    """What this session said lately after its birth, said again after a reconnection."""
    pending: _Out | None = None
    """The next message to publish; it stays here until the broker has acknowledged it."""
    session: int | None = None
    """bdSeq of the machine's live session (None while it is dead)."""

    def remember(self, out: _Out) -> None:
        if out.kind == "birth":
            self.birth = out
            self.replay.clear()
        elif out.kind != "telemetry":  # a repeated seq would be stored twice; a gap is the truth
            self.replay.append(out)

    def restatement(self) -> list[_Out]:
        return ([self.birth] if self.birth is not None else []) + list(self.replay)


class TwinBridge:
    """Runs a ``Twin`` against a broker until cancelled (or until simulated ``until``)."""

    def __init__(
        self,
        twin: Twin,
        broker: BrokerConnection,
        *,
        until: float = float("inf"),
        keepalive: int = 5,
    ) -> None:
        self.twin = twin
        self.broker = broker
        self.until = until
        self.keepalive = keepalive
        self.inbox: queue.SimpleQueue[tuple[str, bytes] | Control] = queue.SimpleQueue()
        self.finished = threading.Event()
        self.connections = 0
        self._stop = threading.Event()
        self._links: dict[str, _Link] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def control(self, action: Control) -> None:
        """Run ``action(twin)`` on the twin's thread (kill, revive, break down a machine)."""
        self.inbox.put(action)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._links = {m: _Link(m) for m in self.twin.machines}
        tasks = [asyncio.create_task(self._machine(link)) for link in self._links.values()]
        thread = threading.Thread(target=self._simulate, name="twin", daemon=True)
        thread.start()
        try:
            await asyncio.wait(tasks)  # unlike gather, leaves cancelling them (once) to us
        finally:
            self._stop.set()
            await cancel(*tasks)
            await asyncio.to_thread(thread.join, 5)

    # -- the twin's thread ---------------------------------------------------------------------

    def _simulate(self) -> None:
        self.twin.subscribe(self._on_event)
        self.twin.start()
        step = 60.0
        while not self._stop.is_set() and self.twin.now < self.until:
            self.twin.run(min(self.until, self.twin.now + step), between=self._drain)
        self.finished.set()

    def _drain(self) -> None:
        while not self.inbox.empty():
            item = self.inbox.get()
            if callable(item):
                item(self.twin)
                continue
            machine, payload = item
            try:
                data = json.loads(payload)
                if not isinstance(data, dict):
                    raise TwinError("a command is a JSON object")
                self.twin.submit(machine, JobCommand.from_payload(data))
            except (ValueError, TwinError) as exc:  # JSONDecodeError is a ValueError
                log.warning("machine %s dropped a command: %s", machine, exc)

    def _on_event(self, event: TwinEvent) -> None:
        payload = {**event.payload, "ts": int(time.time() * 1000)}
        kind = event.kind.split("/", 1)[0]
        bd_seq = payload.get("bdSeq")
        out = _Out(
            kind,
            event.topic,
            encode(payload),
            bd_seq if isinstance(bd_seq, int) else None,
        )
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._links[event.machine_id].queue.put_nowait, out)

    # -- one machine's connection --------------------------------------------------------------

    async def _machine(self, link: _Link) -> None:
        """Connect at birth, publish in order until death; reconnect (and restate) if the broker
        goes away in between."""
        backoff = RECONNECT_S
        while True:
            if link.pending is None:
                link.pending = await link.queue.get()
            if link.pending.kind == "birth":
                link.session = link.pending.bd_seq
            if link.session is None:  # nothing to say before the first birth
                link.pending = None
                continue
            factory, machine = self.twin.factory.id, link.machine
            death = topic(factory, machine, "death"), encode({"bdSeq": link.session})
            restating = link.pending.kind != "birth"
            try:
                async with self.broker.client(
                    client_id(factory, machine),
                    persistent=True,
                    will=aiomqtt.Will(*death, qos=1),
                    keepalive=self.keepalive,
                ) as client:
                    await client.subscribe(topic(factory, machine, COMMAND), qos=1)
                    self.connections += 1
                    backoff = RECONNECT_S
                    try:
                        await self._serve(client, link, restating)
                    except asyncio.CancelledError:  # shutting down: say so, as a machine would
                        with contextlib.suppress(Exception):
                            async with asyncio.timeout(2):
                                await client.publish(*death, qos=1)
                        raise
            except aiomqtt.MqttError as exc:
                log.warning("twin machine %s: %s; retrying", machine, failure(self.broker, exc))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 4.0)

    async def _serve(self, client: aiomqtt.Client, link: _Link, restating: bool) -> None:
        """Publish and listen until the machine dies; an error on either side ends the
        connection (raised, so the caller reconnects)."""
        listener = asyncio.create_task(self._listen(client, link))
        publisher = asyncio.create_task(self._publish(client, link, restating))
        try:
            done, _ = await asyncio.wait({listener, publisher}, return_when=FIRST_COMPLETED)
        finally:
            await cancel(listener, publisher)
        for task in done:
            task.result()
        if listener in done:
            raise aiomqtt.MqttError("the broker stopped sending")

    @staticmethod
    async def _publish(client: aiomqtt.Client, link: _Link, restating: bool) -> None:
        if restating:
            for out in link.restatement():
                await client.publish(out.topic, out.payload, qos=1)
        while link.pending is not None:
            out = link.pending
            if out.kind == RESTATE:
                for said in link.restatement():
                    await client.publish(said.topic, said.payload, qos=1)
            else:
                await client.publish(out.topic, out.payload, qos=1)
                link.remember(out)
            link.pending = None
            if out.kind == "death":
                link.session = None
                return  # a clean disconnect follows: the will is not sent twice
            link.pending = await link.queue.get()

    async def _listen(self, client: aiomqtt.Client, link: _Link) -> None:
        async for message in client.messages:
            payload = message.payload if isinstance(message.payload, bytes) else b""
            if is_rebirth(payload):  # said in turn with what the machine is saying anyway
                link.queue.put_nowait(_Out(RESTATE, "", b""))
            else:
                self.inbox.put((link.machine, payload))
