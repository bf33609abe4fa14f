"""``c2m agent`` with a real OctoPrint and its virtual printer (issue 15, item 2).

The agent runs as a maker runs it, a ``c2m agent`` process. A job command is published the way
the dispatcher does (``issue_command`` with the job document ``JobWriter`` writes, then
``MqttGateway``) for an order line whose upload is a small G-code file; the platform's web tier
serves it on its signed link to the machine's login. The agent must
fetch and check the file, upload it to OctoPrint, have the virtual printer print it, and its
reports must reach the platform through the real ingest; a repeated command runs nothing; a
customer's STL is sliced with the maker's profile (the real PrusaSlicer) and printed; stopping
the agent says its death; started again with a slicer that is not there, it refuses an STL with
the reason.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from c2m.agent.octoprint import OctoPrint
from c2m.agent.printer import PrinterError
from c2m.bootstrap import Platform
from c2m.domains.factory.models import (
    AttemptStatus,
    JobAttempt,
    Machine,
    TelemetrySample,
)
from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.domains.factory.service import Dispatch
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from c2m.kernel.outbox import OutboxMessage
from c2m.workers.ingest import IngestWorker
from tests.agent_support import dispatch, operations_to_make, register_printer
from tests.api.quoting_support import box_stl
from tests.conftest import LiveServer, World
from tests.integration.mqtt.conftest import run, unique, until
from tests.octoprint_server import VERSION, OctoPrintServer, octoprint
from tests.slicer_support import SLICER, tiny_profile

pytestmark = pytest.mark.slow
#: A short print: homing, a few moves, and dwells so that progress shows between start and end.
GCODE = (
    b"G28\nG1 Z5 F600\n"
    + b"".join(f"G1 X{10 + i} Y{10 + i} E{i} F3000\nG4 P150\n".encode() for i in range(20))
    + b"M84\n"
)
STL = box_stl((5, 5, 5))


@pytest.fixture(scope="module")
def printer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OctoPrintServer]:
    """One OctoPrint for the module: it takes ~15 s to start."""
    with octoprint(tmp_path_factory.mktemp("octoprint")) as server:
        yield server


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_agent_prints_a_job_on_octoprint_and_the_platform_hears_it_done(
    platform: Platform,
    world: World,
    plant_broker: BrokerConnection,
    printer: OctoPrintServer,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    code, factory_id, machine_id, secret = register_printer(platform, world)
    files = {"cube.gcode": GCODE, "bracket.stl": STL, "clip.stl": STL}
    operations = operations_to_make(platform, world, factory_id, files)
    agent_log = tmp_path / "agent.log"
    command = [sys.executable, "-m", "c2m.cli.main", "agent", "--factory", code]
    command += ["--machine", "prusa-1", "--secret", secret, "--platform", live_server.url]
    command += ["--api-key", printer.api_key, "--printer-url", printer.url]
    command += ["--url", f"mqtt://{plant_broker.host}:{plant_broker.port}"]
    command += ["--journal", str(tmp_path / "journal.json")]
    command += ["--poll-seconds", "0.3", "--telemetry-seconds", "1"]
    slicing = ["--slicer", SLICER, "--slicer-profile", str(tiny_profile(tmp_path))]
    no_slicer = ["--slicer", str(tmp_path / "nowhere" / "prusa-slicer")]

    def machine_state() -> MachineState:
        with platform.db.read() as session:
            found = session.get(Machine, machine_id)
            assert found is not None
            return found.state

    def attempt(attempt_id: str) -> JobAttempt:
        with platform.db.read() as session:
            found = session.get(JobAttempt, attempt_id)
            assert found is not None
            return found

    def command_for(name: str) -> Dispatch:
        return dispatch(platform, live_server.url, machine_id, operations[name])

    async def start(args: list[str]) -> subprocess.Popen[bytes]:
        with agent_log.open("ab") as out:
            agent = subprocess.Popen([*command, *args], stdout=out, stderr=subprocess.STDOUT)
        await until(lambda: machine_state() is MachineState.IDLE, "the agent's birth", 60)
        return agent

    async def stop(agent: subprocess.Popen[bytes]) -> None:
        """As systemd stops it: the agent says its death."""
        agent.terminate()
        await asyncio.to_thread(agent.wait, 20)
        await until(lambda: machine_state() is MachineState.OFFLINE, "the agent's death", 60)

    async def scenario() -> tuple[str, str, str]:
        ingest = IngestWorker(platform.db, plant_broker, lease_s=900, client_id=unique("ingest"))
        task = asyncio.create_task(ingest.run())
        await asyncio.wait_for(ingest.connected.wait(), 20)
        agents = [await start(slicing)]
        try:
            async with MqttGateway(plant_broker) as gateway:
                printed = command_for("cube.gcode")
                await gateway.send(printed)
                await gateway.send(printed)  # QoS 1 may deliver twice: it runs once
                done = printed.command.attempt_id
                await until(lambda: attempt(done).status is AttemptStatus.DONE, "done", 60)
                to_slice = command_for("bracket.stl")
                await gateway.send(to_slice)
                mesh = to_slice.command.attempt_id
                await until(lambda: attempt(mesh).status is AttemptStatus.DONE, "sliced", 60)
                await stop(agents[0])
                agents.append(await start(no_slicer))
                refused = command_for("clip.stl")
                await gateway.send(refused)
                stl = refused.command.attempt_id
                await until(lambda: attempt(stl).status is AttemptStatus.FAILED, "refusal", 60)
            await stop(agents[1])
        finally:
            for agent in agents:
                if agent.poll() is None:
                    agent.kill()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return done, mesh, stl

    try:
        done, mesh, stl = run(scenario(), timeout=240)
    except BaseException:
        print(agent_log.read_text())  # pytest shows it with the failure
        raise
    log = agent_log.read_text()
    assert "Traceback" not in log, log
    assert f"Mesh jobs are sliced with {SLICER}" in log, log  # said at start, then done
    assert "slicing bracket.stl" in log, log
    assert "Mesh jobs are refused: no slicer at" in log, log
    assert attempt(done).outcome == attempt(mesh).outcome == "pass"
    assert attempt(stl).reason == (
        "cannot slice 'clip.stl': the slicer 'prusa-slicer' cannot be started "
        "(No such file or directory): install PrusaSlicer or pass --slicer"
    )
    stored, sliced = f"cube-{done[:12]}.gcode", f"bracket-{mesh[:12]}.gcode"
    with printer.client() as octo:
        job = octo.get("/api/job").json()
        names = [f["name"] for f in octo.get("/api/files/local").json()["files"]]
    assert job["job"]["file"]["name"] == sliced, job
    assert job["progress"]["completion"] == 100.0, job
    assert job["state"] == "Operational", job
    # the repeated command printed nothing, the refused STL never went there
    assert sorted(names) == [sliced, stored]
    with platform.db.read() as session:
        reports = session.scalars(select(JobAttempt).where(JobAttempt.machine_id == machine_id))
        assert {a.attempt_id for a in reports} == {done, mesh, stl}
        progress = session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.topic == "factory.job.progress")
        ).all()
        samples = session.scalars(
            select(TelemetrySample).where(TelemetrySample.machine_id == machine_id)
        ).all()
    percents = [p["percent"] for p in progress if p["attempt_id"] == done]
    assert len(percents) > 1, percents  # the print was followed, not only its end
    assert percents == sorted(percents), percents
    assert samples
    assert all("nozzle_c" in (s.extra or {}) for s in samples)
    assert "bed_c" in (samples[0].extra or {})


def test_the_adapter_tells_a_wrong_key_and_a_printer_that_is_not_connected(
    printer: OctoPrintServer,
) -> None:
    async def check() -> None:
        wrong = OctoPrint(printer.url, "not-the-key")
        with pytest.raises(PrinterError, match="refused the API key"):
            await wrong.version()
        await wrong.aclose()
        adapter = OctoPrint(printer.url, printer.api_key)
        try:
            assert await adapter.version() == f"OctoPrint {VERSION}"
            ready = await adapter.status()
            for _ in range(100):  # a virtual printer just connected reports temperatures soon
                if {"nozzle_c", "bed_c"} <= set(ready.values):
                    break
                await asyncio.sleep(0.2)
                ready = await adapter.status()
            assert ready.state is MachineState.IDLE
            assert {"nozzle_c", "bed_c"} <= set(ready.values)
            with printer.client() as octo:
                octo.post("/api/connection", json={"command": "disconnect"}).raise_for_status()
            gone = await adapter.status()
            assert gone.state is MachineState.DOWN
            assert gone.reason == "no printer is connected to OctoPrint"
            with pytest.raises(PrinterError, match="did not start printing it"):
                await adapter.print_file("part.gcode", GCODE)
        finally:
            await adapter.aclose()

    run(check())
