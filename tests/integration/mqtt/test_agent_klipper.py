"""``c2m agent --printer moonraker`` end to end (issue 15, item 2), with a recorded Moonraker
(tests/moonraker_server.py) in place of a real one, which needs Klipper and a printer's board.

The agent runs as a maker runs it, a process, on its own Mosquitto, with the platform's web tier
serving the job's file and the real ingest hearing its reports. A job command is published as
the dispatcher does; the agent must upload the file to Moonraker with its API key and follow
the print Klipper scripts (standby, printing with progress, complete) to ``done``; a Klipper
shutdown must put the printer down with Klipper's words.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from c2m.bootstrap import Platform
from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine
from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from c2m.workers.ingest import IngestWorker
from tests.agent_support import dispatch, heard, operations_to_make, register_printer, run_logged
from tests.conftest import LiveServer, World
from tests.integration.mqtt.conftest import unique, until
from tests.moonraker_server import (
    KLIPPER_VERSION,
    MOONRAKER_VERSION,
    TIMER_TOO_CLOSE,
    fake_moonraker,
)

pytestmark = pytest.mark.slow
GCODE = b"G28\nG1 Z5 F600\nG1 X20 Y20 E1 F3000\nM84\n"


def test_the_agent_prints_on_klipper_and_says_when_klipper_shuts_down(
    platform: Platform,
    world: World,
    plant_broker: BrokerConnection,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    code, factory_id, machine_id, secret = register_printer(platform, world)
    operations = operations_to_make(platform, world, factory_id, {"cube.gcode": GCODE})
    agent_log = tmp_path / "agent.log"

    def machine() -> Machine:
        with platform.db.read() as session:
            found = session.get(Machine, machine_id)
            assert found is not None
            return found

    def attempt_status(attempt_id: str) -> AttemptStatus | None:
        with platform.db.read() as session:
            found = session.get(JobAttempt, attempt_id)
            return None if found is None else found.status

    async def scenario() -> tuple[str, str | None]:
        ingest = IngestWorker(platform.db, plant_broker, lease_s=900, client_id=unique("ingest"))
        task = asyncio.create_task(ingest.run())
        await asyncio.wait_for(ingest.connected.wait(), 20)
        async with fake_moonraker(api_key="k3y") as moonraker:
            moonraker.klipper.step = 0.1  # ten looks from start to end
            command = [sys.executable, "-m", "c2m.cli.main", "agent", "--factory", code]
            command += ["--machine", "prusa-1", "--secret", secret, "--platform", live_server.url]
            command += ["--printer", "moonraker", "--printer-url", moonraker.url]
            command += ["--api-key", "k3y", "--journal", str(tmp_path / "journal.json")]
            command += ["--url", f"mqtt://{plant_broker.host}:{plant_broker.port}"]
            command += ["--poll-seconds", "0.3", "--telemetry-seconds", "1"]
            with agent_log.open("wb") as out:
                agent = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
            try:
                await until(lambda: machine().state is MachineState.IDLE, "the agent's birth", 60)
                printed = dispatch(platform, live_server.url, machine_id, operations["cube.gcode"])
                async with MqttGateway(plant_broker) as gateway:
                    await gateway.send(printed)
                done = printed.command.attempt_id
                finished = lambda: attempt_status(done) is AttemptStatus.DONE  # noqa: E731
                await until(finished, "done", 60)
                assert moonraker.uploads == {f"cube-{done[:12]}.gcode": GCODE}

                moonraker.klipper.state, moonraker.klipper.message = "shutdown", TIMER_TOO_CLOSE
                await until(lambda: machine().state is MachineState.DOWN, "down", 30)
                down = machine().state_reason
            finally:
                agent.terminate()
                await asyncio.to_thread(agent.wait, 20)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        return done, down

    (done, down), log = run_logged(scenario(), agent_log, timeout=180)
    said = " ".join(log.split())  # the console wraps its lines
    assert f"Moonraker {MOONRAKER_VERSION}, Klipper {KLIPPER_VERSION} on mqtt://" in said, log
    assert down == "Klipper reports: MCU 'mcu' shutdown: Timer too close"
    percents, readings = heard(platform, machine_id, done)
    assert len(percents) > 1, percents  # the print was followed, not only its end
    assert percents == sorted(percents), percents
    assert any(r.get("nozzle_c") == 210.3 and r.get("bed_c") == 60.1 for r in readings), readings
