"""The agent rides out a broker restart in the middle of a print: what it had to say waits in
its outbox and reaches the platform once the broker is back, under a new session (``bdSeq``).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from c2m.agent.machine import Agent, Identity
from c2m.agent.printer import Status
from c2m.bootstrap import Platform
from c2m.domains.factory.credentials import FileLinks
from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine, MachineEvent
from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.domains.factory.service import issue_command
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from c2m.kernel.tasks import cancel
from c2m.workers.ingest import IngestWorker
from tests.agent_support import Files, StandIn, http_server, job_writer, register_printer
from tests.conftest import World, free_port
from tests.integration.mqtt.conftest import REQUIRE_MQTT, run, unique, until

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
GCODE = b"G28\nG1 X10 Y10\n"
PRINT_S = 4.0


class SlowPrinter(StandIn):
    """Prints for ``PRINT_S`` seconds, its progress growing with the time."""

    def __init__(self) -> None:
        super().__init__()
        self.since: float | None = None

    async def status(self) -> Status:
        if self.since is None:
            return Status(MachineState.IDLE, values={"nozzle_c": 21.0})
        percent = min(100.0, (time.monotonic() - self.since) / PRINT_S * 100)
        busy = percent < 100
        state = MachineState.RUNNING if busy else MachineState.IDLE
        name = self.printed[-1][0]
        return Status(state, None, {"nozzle_c": 210.0}, name, percent, busy)

    async def print_file(self, name: str, data: bytes) -> str:
        self.since = time.monotonic()
        return await super().print_file(name, data)


class Mosquitto:
    """A Mosquitto that keeps its sessions on disk, so it can be stopped and started again on
    the same port with the ingest's subscription (and what is queued for it) intact."""

    def __init__(self, home: Path) -> None:
        self.port = free_port()
        self.config = home / "mosquitto.conf"
        home.chmod(0o777)  # started as root, the broker drops to a user of its own
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {home}/\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)])
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class GcodeFiles(Files):
    def do_GET(self) -> None:
        self.send_file(GCODE)


def _attempt(platform: Platform, attempt_id: str) -> JobAttempt:
    with platform.db.read() as session:
        found = session.get(JobAttempt, attempt_id)
        assert found is not None
        return found


async def _send_print(
    platform: Platform, broker: BrokerConnection, machine_id: str, url: str
) -> str:
    """Command the printer to print the test's G-code (served at ``url``): the attempt id."""
    links = FileLinks(platform.settings.secret_key, url)
    with platform.db.write() as session:
        dispatch = issue_command(
            session,
            machine_id,
            "op-print",
            nominal_s=PRINT_S,
            lease_s=900,
            capability="fdm-print",
            job=job_writer(links, "op-print", "part.gcode", GCODE),
        )
    async with MqttGateway(broker) as gateway:
        await gateway.send(dispatch)
    return dispatch.command.attempt_id


@pytest.fixture
def mosquitto() -> Iterator[Mosquitto]:
    if not Path(MOSQUITTO).exists():
        reason = f"no {MOSQUITTO}"
        if REQUIRE_MQTT:
            pytest.fail(reason + " and C2M_REQUIRE_MQTT=1")
        pytest.skip(reason)
    # not under pytest's folder, which the broker's own user may not enter
    with tempfile.TemporaryDirectory() as home:
        broker = Mosquitto(Path(home))
        broker.start()
        yield broker
        broker.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_print_goes_on_through_a_broker_restart_and_its_end_arrives(
    platform: Platform, world: World, mosquitto: Mosquitto
) -> None:
    code, _, machine_id, secret = register_printer(platform, world)
    broker = BrokerConnection("127.0.0.1", mosquitto.port)
    printer = SlowPrinter()

    def read(attempt_id: str) -> JobAttempt:
        return _attempt(platform, attempt_id)

    def machine() -> Machine:
        with platform.db.read() as session:
            found = session.get(Machine, machine_id)
            assert found is not None
            return found

    async def scenario(url: str) -> tuple[str, int]:
        ingest = IngestWorker(platform.db, broker, lease_s=900, client_id=unique("ingest"))
        identity = Identity(code, "prusa-1", secret, url)
        agent = Agent(broker, identity, printer, poll_s=0.1, telemetry_s=0.5, keepalive=2)
        tasks = [asyncio.create_task(ingest.run())]
        try:
            await asyncio.wait_for(ingest.connected.wait(), 20)  # births are not retained
            tasks.append(asyncio.create_task(agent.run()))
            await until(lambda: machine().bd_seq is not None, "the birth")
            first = machine().bd_seq
            assert first is not None
            attempt = await _send_print(platform, broker, machine_id, url)
            await until(lambda: read(attempt).status is AttemptStatus.STARTED, "the start")
            await asyncio.to_thread(mosquitto.stop)  # mid-print
            await asyncio.sleep(1)
            await asyncio.to_thread(mosquitto.start)
            await until(lambda: read(attempt).status is AttemptStatus.DONE, "done", 40)
            await until(lambda: machine().state is MachineState.IDLE, "idle again")
            assert agent.connections >= 2
            return attempt, first
        finally:
            await cancel(*tasks)

    with http_server(GcodeFiles) as url:
        attempt, first = run(scenario(url), timeout=90)
    assert read(attempt).outcome == "pass"
    assert len(printer.printed) == 1
    now = machine()
    assert now.bd_seq is not None
    assert now.bd_seq > first  # a new session after the restart
    with platform.db.read() as session:
        kinds = session.scalars(
            select(MachineEvent.kind).where(MachineEvent.machine_id == machine_id)
        ).all()
    assert [k for k in kinds if k == "birth"] == ["birth", "birth"], kinds


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_end_said_while_no_ingest_listened_is_said_again_when_one_subscribes(
    platform: Platform, world: World, mosquitto: Mosquitto
) -> None:
    """The ingest that heard the start is gone when the print ends; a new one (another worker,
    another session) asks the machines to restate and learns the print is done."""
    code, _, machine_id, secret = register_printer(platform, world)
    broker = BrokerConnection("127.0.0.1", mosquitto.port)
    printer = SlowPrinter()

    def status(attempt_id: str) -> AttemptStatus:
        return _attempt(platform, attempt_id).status

    async def scenario(url: str) -> str:
        first = IngestWorker(platform.db, broker, lease_s=900, client_id=unique("ingest"))
        identity = Identity(code, "prusa-1", secret, url)
        agent = Agent(broker, identity, printer, poll_s=0.1, telemetry_s=0.5, keepalive=2)
        tasks = [asyncio.create_task(first.run())]
        try:
            await asyncio.wait_for(first.connected.wait(), 20)
            tasks.append(asyncio.create_task(agent.run()))
            await until(lambda: agent.connections > 0, "the birth")  # it hears commands now
            attempt = await _send_print(platform, broker, machine_id, url)
            await until(lambda: status(attempt) is AttemptStatus.STARTED, "the start")
            await cancel(tasks.pop(0))  # the ingest goes away mid-print
            await until(lambda: any("/done" in t for t, _ in agent._recent), "the end, said")
            assert status(attempt) is AttemptStatus.STARTED
            second = IngestWorker(platform.db, broker, lease_s=900, client_id=unique("ingest"))
            tasks.append(asyncio.create_task(second.run()))
            await until(lambda: status(attempt) is AttemptStatus.DONE, "done", 40)
            return attempt
        finally:
            await cancel(*tasks)

    with http_server(GcodeFiles) as url:
        run(scenario(url), timeout=90)
    assert len(printer.printed) == 1
