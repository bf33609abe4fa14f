"""``c2m twin``: simulated machines on any broker, with sentences (exit 2) instead of tracebacks."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c2m.cli.main import app
from c2m.kernel.mqtt import BrokerConnection
from c2m.workers.twin_bridge import client_id
from tests.conftest import free_port
from tests.integration.mqtt.conftest import run, unique

runner = CliRunner()


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--url", "http://example.com"], "is not a broker address"),
        (["--url", "mqtt://127.0.0.1:{port}"], "No MQTT broker answers"),
        (["--machines", "missing.json"], "Cannot read the factory"),
        (["--speed", "0"], "0.01"),
    ],
)
def test_twin_explains_what_is_wrong(arguments: list[str], says: str) -> None:
    port = str(free_port())
    result = runner.invoke(app, ["twin", *(a.replace("{port}", port) for a in arguments)])
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output


def test_twin_runs_a_plant_file_on_the_broker_and_says_goodbye(
    tmp_path: Path, mosquitto: BrokerConnection, sessions: list[tuple[str, int, str]]
) -> None:
    code = unique("cli")
    sessions.append((mosquitto.host, mosquitto.port, client_id(code, "a1")))
    plant = tmp_path / "plant.json"
    plant.write_text(json.dumps({"id": code, "machines": [{"id": "a1", "capabilities": ["pack"]}]}))
    heard: list[str] = []
    listening = threading.Event()

    async def listen() -> None:
        async with mosquitto.client() as client:
            await client.subscribe(f"c2m/v1/{code}/#", qos=1)
            listening.set()
            async for message in client.messages:
                heard.append(str(message.topic).rsplit("/", 1)[-1])
                if heard[-1] == "death":
                    return

    listener = threading.Thread(target=lambda: run(listen(), timeout=30))
    listener.start()
    assert listening.wait(10)
    arguments = ["--machines", str(plant), "--speed", "600", "--hours", "0.1"]
    # On a thread of its own: the command runs its own event loop, and in a full test run the
    # browser tests keep one running on the main thread.
    with ThreadPoolExecutor(max_workers=1) as thread:
        command = ["twin", *arguments, "--url", str(mosquitto)]
        result = thread.submit(runner.invoke, app, command).result()
    listener.join(30)
    assert result.exit_code == 0, result.output
    assert heard[0] == "birth"
    assert heard[-1] == "death"
    assert "telemetry" in heard
