"""The Moonraker adapter of ``c2m agent`` (issue 15, item 2) against a recorded Moonraker
(tests/moonraker_server.py: its documented payloads on a real websocket and HTTP server), not a
real one: Moonraker needs Klipper and a printer's board. Klipper's states are scripted: a print
from standby to complete, a shutdown, a restart of Moonraker, a refused key.
"""

from __future__ import annotations

import json

import pytest

from c2m.agent.machine import Agent, Identity
from c2m.agent.moonraker import Moonraker
from c2m.agent.printer import PrinterError
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from tests.agent_support import Files, http_server
from tests.conftest import free_port, run_async
from tests.integration.test_agent_jobs import GCODE, command
from tests.moonraker_server import KLIPPER_VERSION, MOONRAKER_VERSION, TIMER_TOO_CLOSE
from tests.moonraker_server import fake_moonraker as moonraker


def test_a_print_is_followed_from_standby_to_complete() -> None:
    async def scenario() -> None:
        async with moonraker(api_key="k3y") as fake:
            adapter = Moonraker(fake.url, "k3y")
            try:
                assert await adapter.version() == (
                    f"Moonraker {MOONRAKER_VERSION}, Klipper {KLIPPER_VERSION}"
                )
                idle = await adapter.status()
                assert idle.state is MachineState.IDLE
                assert idle.values == {"nozzle_c": 24.1, "bed_c": 60.1}
                assert not idle.busy

                stored = await adapter.print_file("cube-a1.gcode", GCODE)
                assert stored == "cube-a1.gcode"
                assert fake.uploads == {stored: GCODE}
                looks = [await adapter.status() for _ in range(4)]
            finally:
                await adapter.aclose()
        assert [look.state for look in looks] == [MachineState.RUNNING] * 3 + [MachineState.IDLE]
        assert [look.percent for look in looks] == [25.0, 50.0, 75.0, 100.0]
        assert [look.busy for look in looks] == [True, True, True, False]
        assert {look.file for look in looks} == {"cube-a1.gcode"}
        assert looks[0].values["nozzle_c"] == 210.3

    run_async(scenario())


def test_a_klipper_shutdown_is_down_with_klippers_own_words() -> None:
    async def scenario() -> None:
        async with moonraker() as fake:  # no key: this host is a trusted client
            adapter = Moonraker(fake.url)
            try:
                fake.klipper.state, fake.klipper.message = "shutdown", TIMER_TOO_CLOSE
                down = await adapter.status()
                assert down.state is MachineState.DOWN
                assert down.reason == "Klipper reports: MCU 'mcu' shutdown: Timer too close"

                fake.klipper.state = "disconnected"
                gone = await adapter.status()
                assert gone.state is MachineState.DOWN
                assert gone.reason == (
                    "Moonraker is not connected to Klipper (is the klipper service running?)"
                )
                assert await adapter.version() == f"Moonraker {MOONRAKER_VERSION}"

                fake.klipper.state, fake.klipper.message = "ready", "Printer is ready"
                fake.klipper.job, fake.klipper.job_message = "error", "Move out of range\n..."
                ended = await adapter.status()
                assert ended.state is MachineState.IDLE  # the print ended, Klipper is ready
                assert ended.reason == "Klipper reports: Move out of range"
            finally:
                await adapter.aclose()

    run_async(scenario())


def test_a_moonraker_restart_between_two_looks_goes_unnoticed() -> None:
    async def scenario() -> None:
        async with moonraker() as fake:
            adapter = Moonraker(fake.url)
            try:
                assert (await adapter.status()).state is MachineState.IDLE
                await fake.restart()  # every websocket closed
                assert (await adapter.status()).state is MachineState.IDLE
                assert len(fake.sockets) == 1  # on a new connection
            finally:
                await adapter.aclose()

    run_async(scenario())


def test_a_moonraker_that_hangs_is_left_for_a_new_connection() -> None:
    async def scenario() -> None:
        async with moonraker() as fake:
            adapter = Moonraker(fake.url, timeout=0.3)
            try:
                fake.silent = True
                with pytest.raises(PrinterError, match=r"stopped answering \(server\.info\)"):
                    await adapter.status()
                fake.silent = False
                assert (await adapter.status()).state is MachineState.IDLE
            finally:
                await adapter.aclose()

    run_async(scenario())


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("wrong", r"Moonraker at http://127\.0\.0\.1:\d+ refused the API key"),
        (None, r"wants an API key \(or this host under trusted_clients\)"),
    ],
)
def test_a_refused_key_is_one_sentence(key: str | None, says: str) -> None:
    async def scenario() -> None:
        async with moonraker(api_key="k3y") as fake:
            adapter = Moonraker(fake.url, key)
            try:
                with pytest.raises(PrinterError, match=says):
                    await adapter.version()
                with pytest.raises(PrinterError, match=says):
                    await adapter.print_file("cube.gcode", GCODE)
                assert fake.uploads == {}
            finally:
                await adapter.aclose()

    run_async(scenario())


def test_a_moonraker_that_is_not_there_does_not_answer() -> None:
    async def scenario() -> None:
        adapter = Moonraker(f"http://127.0.0.1:{free_port()}")
        try:
            with pytest.raises(PrinterError, match=r"Moonraker at .* does not answer"):
                await adapter.version()
        finally:
            await adapter.aclose()

    run_async(scenario())


def test_the_agent_runs_a_job_on_klipper_and_reports_it_done() -> None:
    """The agent's job flow with the adapter: fetch and check the file, upload and start it,
    follow its progress to the end; its reports wait in order for the broker (none here)."""

    class Handler(Files):
        def do_GET(self) -> None:
            self.send_file(GCODE)

    async def scenario(platform: str) -> list[tuple[str, dict[str, object]]]:
        async with moonraker() as fake:
            adapter = Moonraker(fake.url)
            identity = Identity("home", "voron-1", "s3cret", platform)
            agent = Agent(BrokerConnection("127.0.0.1", 1), identity, adapter, poll_s=0.01)
            try:
                await agent.make(command(platform))
            finally:
                await adapter.aclose()
            assert fake.uploads == {"part-a1.gcode": GCODE}
        reports = []
        while not agent._outbox.empty():
            topic, payload = agent._outbox.get_nowait()
            reports.append((topic.rsplit("/", 1)[-1], json.loads(payload)))
        return reports

    with http_server(Handler) as platform:
        reports = run_async(scenario(platform))
    kinds = [kind for kind, _ in reports]
    assert kinds == ["started", "progress", "progress", "progress", "done"], reports
    assert [body["percent"] for kind, body in reports if kind == "progress"] == [25, 50, 75]
    assert reports[-1][1]["outcome"] == "pass"
