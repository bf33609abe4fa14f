"""examples/printer_client.py, the aiomqtt machine of docs/machines.md (under 60 lines), really
works: it is born, prints each attempt once however often the command comes, and when it is
killed mid-print the broker's will tells the platform, which holds the attempt."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from subprocess import PIPE

import aiomqtt
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory import events, service
from c2m.domains.factory.models import AttemptStatus, TelemetrySample
from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from c2m.workers.ingest import IngestWorker
from tests.conftest import World
from tests.integration.factory.fac_support import attempt, build_plant, machine_row, outbox
from tests.integration.mqtt.conftest import run, unique, until

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "printer_client.py"


def test_the_example_fits_in_sixty_lines_of_aiomqtt() -> None:
    text = EXAMPLE.read_text()
    assert len(text.splitlines()) <= 60
    assert "import aiomqtt" in text


def test_the_example_printer_prints_each_attempt_once_and_its_will_reports_its_death(
    platform: Platform, world: World, broker: BrokerConnection, sessions: list[tuple[str, int, str]]
) -> None:
    host, port = broker.host, broker.port
    code, ingest_id = unique("home"), unique("ingest")
    sessions.append((host, port, ingest_id))
    printer = build_plant(platform, world.maker_a.actor, world.enterprise_a.id, code, "p1")
    p1 = printer.machines["p1"]
    with platform.db.write() as session:
        benchy = service.issue_command(session, p1.id, "benchy", nominal_s=0.3, lease_s=600)
        vase = service.issue_command(session, p1.id, "vase", nominal_s=120, lease_s=600)
    started: Counter[str] = Counter()
    command = [sys.executable, str(EXAMPLE), host, str(port), code, "p1"]
    processes: list[subprocess.Popen[bytes]] = []

    async def watch(client: aiomqtt.Client) -> None:
        async for message in client.messages:
            if str(message.topic).endswith("/started") and isinstance(message.payload, bytes):
                started[json.loads(message.payload)["attempt_id"]] += 1

    async def scenario() -> None:
        worker = IngestWorker(platform.db, broker, lease_s=600, client_id=ingest_id)
        ingest = asyncio.create_task(worker.run())
        await asyncio.wait_for(worker.connected.wait(), 10)  # so it hears the birth
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=PIPE))
        async with broker.client() as spy, MqttGateway(broker) as gateway:
            await spy.subscribe(f"c2m/v1/{code}/p1/job/#", qos=1)
            watcher = asyncio.create_task(watch(spy))
            await until(lambda: machine_row(platform, p1).state is MachineState.IDLE, "birth")
            for dispatch in (benchy, benchy, vase):  # benchy twice, as QoS 1 may deliver it
                await gateway.send(dispatch)
            await until(
                lambda: attempt(platform, vase.command.attempt_id).status is AttemptStatus.STARTED,
                "the vase started",
            )
            processes[0].kill()  # mid-print, without a word: only the will can tell
            await until(lambda: machine_row(platform, p1).state is MachineState.OFFLINE, "will")
            await worker.drained()
            watcher.cancel()
        ingest.cancel()
        await asyncio.gather(ingest, watcher, return_exceptions=True)

    try:
        run(scenario())
    finally:
        for process in processes:
            process.kill()
    assert processes[0].communicate(timeout=10)[1] == b""  # nothing on stderr
    assert attempt(platform, benchy.command.attempt_id).status is AttemptStatus.DONE
    assert started == {benchy.command.attempt_id: 1, vase.command.attempt_id: 1}
    assert attempt(platform, vase.command.attempt_id).held
    died = [d["in_flight"] for d in outbox(platform, events.MACHINE_DIED) if d["machine"] == "p1"]
    assert died == [[vase.command.attempt_id]]
    with platform.db.read() as session:
        query = select(TelemetrySample.extra).where(TelemetrySample.machine_id == p1.id)
        assert {"nozzle_c": 210.0, "bed_c": 60.0} in list(session.scalars(query))
