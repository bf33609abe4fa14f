"""The agent's loop: one printer as one machine of the contract (docs/machines.md).

Per connection to the broker it picks a new ``bdSeq``, sets its death as the MQTT will, says
its birth and listens on its ``cmd`` topic (QoS 1, persistent session, so commands wait while it
is away). Jobs run one at a time and survive reconnections: what they report waits in an outbox
and is published, in order, once the broker is back. Its latest job reports are said again after
each reconnection and when the platform asks (a rebirth request on ``cmd``): a broker without
persistence may have taken them while no ingest was there to hear. The broker is retried with
back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import time
from asyncio import FIRST_COMPLETED
from collections import deque
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import aiomqtt
import httpx
from pydantic import ValidationError

from c2m.agent.journal import Journal
from c2m.agent.printer import Printer, PrinterError, Status
from c2m.agent.slicer import ADVICE, Slicer, SlicingError, is_mesh
from c2m.domains.factory.contract import COMMAND, Artifact, Command, encode, is_rebirth, topic
from c2m.domains.factory.vocabulary import ContractError, MachineState, check_topic_id
from c2m.kernel.mqtt import BrokerConnection, failure
from c2m.kernel.tasks import cancel

log = logging.getLogger(__name__)

BACKOFF_S = (0.5, 30.0)
"""First and longest wait before trying the broker again."""
START_GRACE_S = 30.0
"""How long a started print may take to show as under way on the printer."""
RENEW_S = 60.0
"""A running job reports progress at least this often, so its lease (15 min) never lapses."""
REASON_CHARS = 200  # the contract's longest reason
RESTATED = 64
"""How many of the latest job reports are said again after a reconnection or a rebirth request."""


class Refused(Exception):
    """The attempt ends without a part; the sentence is the ``failed`` reason."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the agent is on the platform: its codes (also its topics and login), its secret, the
    platform's address (the only place its secret is sent) and what its printer can do."""

    factory: str
    machine: str
    secret: str = field(repr=False)
    platform_url: str
    capabilities: tuple[str, ...] = ("fdm-print",)

    @property
    def username(self) -> str:
        return f"{self.factory}/{self.machine}"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def short(text: str) -> str:
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


class Agent:
    """Runs until cancelled; ``poll_s`` paces a running print, ``telemetry_s`` the readings."""

    def __init__(
        self,
        broker: BrokerConnection,
        identity: Identity,
        printer: Printer,
        *,
        journal: Journal | None = None,
        slicer: Slicer | None = None,
        poll_s: float = 2.0,
        telemetry_s: float = 10.0,
        keepalive: int = 15,
    ) -> None:
        check_topic_id("factory", identity.factory)
        check_topic_id("machine", identity.machine)
        self.broker = broker
        self.identity = identity
        self.printer = printer
        self.journal = journal or Journal(None)
        self.slicer = slicer
        self.poll_s = poll_s
        self.telemetry_s = telemetry_s
        self.keepalive = keepalive
        self.connections = 0
        self._jobs: asyncio.Queue[Command] = asyncio.Queue()
        self._outbox: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._pending: tuple[str, bytes] | None = None
        self._recent: deque[tuple[str, bytes]] = deque(maxlen=RESTATED)
        self._bd_seq = 0
        self._reported: tuple[MachineState, str | None] | None = None
        self._operation: str | None = None
        self._aborted = [self.journal.running] if self.journal.running else []

    async def run(self) -> None:
        jobs = asyncio.create_task(self._run_jobs())
        try:
            await self._connect_loop()
        finally:
            await cancel(jobs)

    def _topic(self, kind: str) -> str:
        return topic(self.identity.factory, self.identity.machine, kind)

    def _say(self, kind: str, **body: object) -> None:
        """Queue a report (QoS 1, in order); it is sent as soon as the broker is there."""
        self._outbox.put_nowait((self._topic(kind), encode({**body, "ts": now_ms()})))

    # -- the broker ----------------------------------------------------------------------------

    async def _connect_loop(self) -> None:
        backoff = BACKOFF_S[0]
        while True:
            self._bd_seq = max(now_ms(), self._bd_seq + 1)  # grows with every connection
            death = self._topic("death"), encode({"bdSeq": self._bd_seq})
            try:
                async with self.broker.client(
                    f"c2m-agent-{self.identity.factory}-{self.identity.machine}",
                    persistent=True,
                    will=aiomqtt.Will(*death, qos=1),
                    keepalive=self.keepalive,
                ) as client:
                    await client.subscribe(self._topic(COMMAND), qos=1)
                    await self._birth(client)
                    for said in list(self._recent):
                        await client.publish(*said, qos=1)
                    backoff = BACKOFF_S[0]
                    try:
                        await self._serve(client)
                    except asyncio.CancelledError:  # stopping: say goodbye, as a machine would
                        with contextlib.suppress(Exception):
                            async with asyncio.timeout(2):
                                await client.publish(*death, qos=1)
                        raise
            except aiomqtt.MqttError as exc:
                log.warning("%s; retrying in %.1f s", failure(self.broker, exc), backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_S[1])

    def _birth_body(self) -> dict[str, object]:
        return {
            "bdSeq": self._bd_seq,
            "capabilities": list(self.identity.capabilities),
            "aborted": self._aborted,
            "ts": now_ms(),
        }

    async def _birth(self, client: aiomqtt.Client) -> None:
        await client.publish(self._topic("birth"), encode(self._birth_body()), qos=1)
        if self._aborted:  # the platform knows now: it plans them again
            self._aborted = []
            self.journal.start(None)
        self._reported = None  # the new session hears the printer's state again
        self.connections += 1
        log.info("%s is online on %s", self.identity.username, self.broker)

    async def _serve(self, client: aiomqtt.Client) -> None:
        """Listen, publish and watch until one of them fails (raised: the caller reconnects)."""
        tasks = {
            asyncio.create_task(self._listen(client)),
            asyncio.create_task(self._publish(client)),
            asyncio.create_task(self._watch(client)),
        }
        try:
            done, _ = await asyncio.wait(tasks, return_when=FIRST_COMPLETED)
        finally:
            await cancel(*tasks)
        for task in done:
            task.result()
        raise aiomqtt.MqttError("the broker stopped sending")

    async def _publish(self, client: aiomqtt.Client) -> None:
        while True:
            if self._pending is None:
                self._pending = await self._outbox.get()
            await client.publish(*self._pending, qos=1)
            if "/job/" in self._pending[0] and self._pending not in self._recent:
                self._recent.append(self._pending)
            self._pending = None  # acknowledged; until then it is sent again after a reconnect

    async def _listen(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload if isinstance(message.payload, bytes) else b""
            if is_rebirth(payload):
                self._restate()
                continue
            try:
                command = Command.model_validate_json(payload)
                check_topic_id("operation", command.operation_id)
            except (ValidationError, ContractError) as exc:  # anyone may publish on cmd
                log.warning("dropped a malformed command: %s", str(exc).splitlines()[0])
                continue
            attempt, job = command.attempt_id, f"job/{command.operation_id}"
            duplicate = attempt in self.journal
            self._say(f"{job}/accepted", attempt_id=attempt, duplicate=duplicate)
            if not duplicate:
                self.journal.accept(attempt)
                self._jobs.put_nowait(command)

    def _restate(self) -> None:
        """Say the birth of this session again, then the latest job reports; the state
        follows from the watch."""
        self._outbox.put_nowait((self._topic("birth"), encode(self._birth_body())))
        for said in self._recent:
            self._outbox.put_nowait(said)
        self._reported = None

    async def _watch(self, client: aiomqtt.Client) -> None:
        """The printer's state when it changes, and its readings as telemetry."""
        seq = 0
        while True:
            status = await self._status()
            now = status.state, status.reason
            if now != self._reported:
                previous = None if self._reported is None else self._reported[0]
                self._say(
                    "state",
                    state=status.state,
                    previous=previous,
                    reason=None if status.reason is None else short(status.reason),
                    operation=self._operation,
                )
                self._reported = now
            values = dict(status.values)
            if status.busy and status.percent is not None:
                values["progress_pct"] = status.percent
            telemetry = {"seq": seq, "state": status.state, "values": values, "ts": now_ms()}
            if self._operation is not None:
                telemetry["operation"] = self._operation
            await client.publish(self._topic("telemetry"), encode(telemetry), qos=0)
            seq = (seq + 1) % 256
            await asyncio.sleep(self.telemetry_s)

    async def _status(self) -> Status:
        try:
            return await self.printer.status()
        except PrinterError as exc:
            return Status(MachineState.DOWN, str(exc))

    # -- jobs ----------------------------------------------------------------------------------

    async def _run_jobs(self) -> None:
        while True:
            command = await self._jobs.get()
            job = f"job/{command.operation_id}"
            self.journal.start(command.attempt_id)
            try:
                await self.make(command)
            except Refused as exc:
                log.warning("attempt %s failed: %s", command.attempt_id, exc)
                self._say(f"{job}/failed", attempt_id=command.attempt_id, reason=short(str(exc)))
            except Exception as exc:  # a fault of ours must end the attempt, not the agent
                log.exception("attempt %s failed", command.attempt_id)
                reason = short(f"the agent failed: {exc!r}")
                self._say(f"{job}/failed", attempt_id=command.attempt_id, reason=reason)
            finally:
                self._operation = None
                self.journal.start(None)

    async def make(self, command: Command) -> None:
        """Check, fetch, slice (a mesh), start and follow one attempt; ``Refused`` says why it
        made nothing."""
        if command.capability and command.capability not in self.identity.capabilities:
            raise Refused(f"machine cannot {command.capability}")
        artifact = None if command.job is None else command.job.artifact
        if artifact is None:
            raise Refused("this printer needs a file to print and the job has none")
        name = PurePosixPath(artifact.filename or urlsplit(artifact.url).path).name
        stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem)  # what every printer's server takes
        slicer = self._slicer_for(name)
        data = await self._fetch(artifact)
        if slicer is not None:
            data = await self._slice(slicer, command, f"{stem}{suffix.lower()}", data)
            suffix = ".gcode"
        ready = await self._status()
        if ready.state is not MachineState.IDLE:
            raise Refused(f"the printer is not ready: {ready.reason or ready.state.value}")
        if command.lease_expires is not None and command.lease_expires < now_ms():
            raise Refused("lease expired")  # the platform may have given it to another machine
        try:  # a name of its own: never a file in use
            stored = await self.printer.print_file(
                f"{stem}-{command.attempt_id[:12]}{suffix}", data
            )
        except PrinterError as exc:
            raise Refused(str(exc)) from None
        self._operation = command.operation_id
        job = f"job/{command.operation_id}"
        log.info(
            "attempt %s: printing %s (%d bytes, sha256 checked)",
            command.attempt_id,
            stored,
            len(data),
        )
        self._say(
            f"{job}/started", attempt_id=command.attempt_id, setup_s=0, expected_s=command.nominal_s
        )
        duration = await self._follow(command, stored)
        self._say(f"{job}/done", attempt_id=command.attempt_id, outcome="pass", duration_s=duration)
        log.info("attempt %s done in %.0f s", command.attempt_id, duration)

    def _slicer_for(self, name: str) -> Slicer | None:
        """The slicer that turns ``name`` into G-code first, None if the printer prints it as it
        is; ``Refused`` if neither can be."""
        if name.lower().endswith(self.printer.suffixes):
            return None
        kinds = ", ".join(self.printer.suffixes)
        if not is_mesh(name) or ".gcode" not in self.printer.suffixes:
            raise Refused(f"this printer prints {kinds} files, not {name!r}")
        if self.slicer is None:
            raise Refused(
                f"this printer prints {kinds} files and no slicer is set up for {name!r}: {ADVICE}"
            )
        return self.slicer

    async def _slice(self, slicer: Slicer, command: Command, name: str, mesh: bytes) -> bytes:
        log.info("attempt %s: slicing %s with %s", command.attempt_id, name, slicer.executable)
        started = time.monotonic()
        try:
            gcode = await slicer.slice(name, mesh)
        except SlicingError as exc:
            raise Refused(f"cannot slice {name!r}: {exc}") from None
        log.info(
            "attempt %s: sliced %s in %.1f s (%d bytes of G-code)",
            command.attempt_id,
            name,
            time.monotonic() - started,
            len(gcode),
        )
        return gcode

    async def _follow(self, command: Command, stored: str) -> float:
        """Report progress until the print of ``stored`` ends: its duration in seconds, or
        ``Refused`` if it stopped before the end."""
        job, attempt = f"job/{command.operation_id}", command.attempt_id
        started = last = time.monotonic()
        seen, percent = False, -1
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                status = await self.printer.status()
            except PrinterError as exc:  # its server restarting: the printer may print on
                log.warning("attempt %s: %s", attempt, exc)
                continue
            ours = status.file == stored
            if ours and status.busy:
                seen = True
                now = int(status.percent or 0)
                if now > percent or time.monotonic() - last > RENEW_S:
                    held = (
                        {"held": True, "reason": short(status.reason or "")}
                        if status.state is MachineState.DOWN
                        else {}
                    )
                    self._say(f"{job}/progress", attempt_id=attempt, percent=min(now, 100), **held)
                    percent, last = now, time.monotonic()
                continue
            if ours and (status.percent or 0) >= 100:
                return time.monotonic() - started
            if seen or not ours or time.monotonic() - started > START_GRACE_S:
                raise Refused(status.reason or "the print stopped before its end on the printer")

    async def _fetch(self, artifact: Artifact) -> bytes:
        """The job's file with this machine's login, only from the platform's own address, and
        only if its size and sha256 are the job document's."""
        platform = self.identity.platform_url.rstrip("/") + "/"
        if not artifact.url.startswith(platform):  # a forged command could ask for our secret
            raise Refused(f"artifact link is not under {platform}")
        data = bytearray()
        login = (self.identity.username, self.identity.secret)
        try:
            async with (
                httpx.AsyncClient(timeout=60) as http,
                http.stream("GET", artifact.url, auth=login) as response,
            ):
                if response.status_code != 200:
                    raise Refused(f"artifact download failed: HTTP {response.status_code}")
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > artifact.size:
                        raise Refused("artifact size mismatch")
        except httpx.HTTPError as exc:
            raise Refused(f"artifact download failed: {exc!r}") from None
        if len(data) != artifact.size:
            raise Refused("artifact size mismatch")
        if hashlib.sha256(data).hexdigest() != artifact.sha256:
            raise Refused("artifact hash mismatch")
        return bytes(data)
