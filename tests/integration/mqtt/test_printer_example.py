"""examples/printer_client.py, the aiomqtt machine of docs/machines.md (one short file), really
works: it is born, prints each attempt once however often the command comes, and when it is
killed mid-print the broker's will tells the platform, which holds the attempt. It fetches a
job's file with its own login and refuses one whose hash is not announced; a forged command
costs it a log line, not its life."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from subprocess import PIPE
from typing import ClassVar

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


def test_the_example_fits_in_one_short_file_of_aiomqtt() -> None:
    text = EXAMPLE.read_text()
    assert len(text.splitlines()) <= 130  # a job runner that also answers rebirth requests
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
    command = [sys.executable, str(EXAMPLE), f"mqtt://{host}:{port}", code, "p1", "unused"]
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
    assert b"Traceback" not in processes[0].communicate(timeout=10)[1]
    assert attempt(platform, benchy.command.attempt_id).status is AttemptStatus.DONE
    assert started == {benchy.command.attempt_id: 1, vase.command.attempt_id: 1}
    assert attempt(platform, vase.command.attempt_id).held
    died = [d["in_flight"] for d in outbox(platform, events.MACHINE_DIED) if d["machine"] == "p1"]
    assert died == [[vase.command.attempt_id]]
    with platform.db.read() as session:
        query = select(TelemetrySample.extra).where(TelemetrySample.machine_id == p1.id)
        assert {"nozzle_c": 210.0, "bed_c": 60.0} in list(session.scalars(query))


class OneFile(http.server.BaseHTTPRequestHandler):
    """Serves ``body`` at any path and remembers the Authorization headers it was sent."""

    body = b""
    logins: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        self.logins.append(self.headers.get("Authorization"))
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


def test_the_example_refuses_a_file_whose_hash_differs_and_drops_forged_commands(
    mosquitto: BrokerConnection,
) -> None:
    host, port = mosquitto.host, mosquitto.port
    code = unique("home")
    part = b"solid cube\n"
    OneFile.body = b"tampered!!\n"  # the same size, other bytes
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OneFile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    platform = f"http://127.0.0.1:{server.server_address[1]}/"

    def command(operation: str, body: bytes, url: str = platform + "machine-files/op") -> bytes:
        artifact = {"url": url, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
        job = {"product": "Cube", "quantity": 1, "artifact": artifact}
        return json.dumps(
            {"operation_id": operation, "attempt_id": unique("a"), "nominal_s": 0, "job": job}
        ).encode()

    forged = [
        b"not json",
        b"[1, 2]",
        b'{"operation_id": "x", "attempt_id": "a1", "nominal_s": "slow"}',
        b'{"operation_id": "x", "attempt_id": "a2", "nominal_s": 1,'
        b' "job": {"artifact": {"url": 7}}}',
        b'{"operation_id": "x", "attempt_id": "a3", "nominal_s": 1, "job": "a cube"}',
    ]
    ends: dict[str, tuple[str, dict[str, object]]] = {}
    cmd = [sys.executable, str(EXAMPLE), f"mqtt://{host}:{port}", code, "p1", "s3cret"]
    env = {**os.environ, "PLATFORM_URL": platform}
    printer = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=PIPE, env=env)

    async def scenario() -> None:
        async with aiomqtt.Client(host, port) as forger:
            await forger.subscribe(f"c2m/v1/{code}/p1/#", qos=1)
            async for message in forger.messages:
                if str(message.topic).endswith("/birth"):
                    break
            phishing = command("phish", OneFile.body, "http://127.0.0.2:9/steal")
            for payload in [*forged, phishing, command("bad", part), command("good", OneFile.body)]:
                await forger.publish(f"c2m/v1/{code}/p1/cmd", payload, qos=1)
            async for message in forger.messages:
                where = str(message.topic).split("/")
                if where[-1] in ("done", "failed") and isinstance(message.payload, bytes):
                    ends[where[-2]] = (where[-1], json.loads(message.payload))
                if len(ends) == 3:
                    return

    try:
        run(scenario())
    finally:
        printer.kill()
        server.shutdown()
    log = printer.communicate(timeout=10)[1].decode()
    assert ends["bad"][0] == "failed"
    assert ends["bad"][1]["reason"] == "artifact hash mismatch"
    assert ends["good"][0] == "done"
    assert ends["phish"][0] == "failed"
    assert ends["phish"][1]["reason"] == f"artifact link is not under {platform}"
    assert log.count("dropped a command: malformed command") == len(forged)
    assert "no valid nominal_s" in log
    assert "no valid artifact url" in log
    assert "Traceback" not in log
    login = base64.b64encode(f"{code}/p1:s3cret".encode()).decode()
    assert OneFile.logins == [f"Basic {login}"] * 2
