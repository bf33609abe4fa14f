"""The Moonraker adapter of ``c2m agent`` (issue 15, item 2) against a recorded Moonraker
(tests/moonraker_server.py: its documented payloads on a real websocket and HTTP server), not a
real one: Moonraker needs Klipper and a printer's board. Klipper's states are scripted: a print
from standby to complete, a shutdown, a restart of Moonraker, a hang, a refused key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from c2m.agent.machine import Agent, Identity
from c2m.agent.moonraker import Moonraker
from c2m.agent.printer import PrinterError
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from tests.agent_support import Files, http_server
from tests.conftest import free_port, run_async
from tests.integration.test_agent_jobs import GCODE, command
from tests.moonraker_server import (
    KLIPPER_VERSION,
    MOONRAKER_VERSION,
    TIMER_TOO_CLOSE,
    FakeMoonraker,
    fake_moonraker,
)


@asynccontextmanager
async def connected(
    api_key: str | None = None, key: str | None = None, timeout: float = 30.0
) -> AsyncIterator[tuple[FakeMoonraker, Moonraker]]:
    """A recorded Moonraker that wants ``api_key`` (none: this host is a trusted client) and the
    adapter pointed at it with ``key``."""
    async with fake_moonraker(api_key) as fake:
        adapter = Moonraker(fake.url, key, timeout=timeout)
        try:
            yield fake, adapter
        finally:
            await adapter.aclose()


def test_a_print_is_followed_from_standby_to_complete() -> None:
    async def scenario() -> None:
        async with connected(api_key="k3y", key="k3y") as (fake, adapter):
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
        assert [look.state for look in looks] == [MachineState.RUNNING] * 3 + [MachineState.IDLE]
        assert [look.percent for look in looks] == [25.0, 50.0, 75.0, 100.0]
        assert [look.busy for look in looks] == [True, True, True, False]
        assert {look.file for look in looks} == {"cube-a1.gcode"}
        assert looks[0].values["nozzle_c"] == 210.3

    run_async(scenario())


def test_a_klipper_shutdown_is_down_with_klippers_own_words() -> None:
    async def scenario() -> None:
        async with connected() as (fake, adapter):  # no key: this host is a trusted client
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

    run_async(scenario())


def test_a_moonraker_restart_between_two_looks_goes_unnoticed() -> None:
    async def scenario() -> None:
        async with connected() as (fake, adapter):
            assert (await adapter.status()).state is MachineState.IDLE
            await fake.restart()  # every websocket closed
            assert (await adapter.status()).state is MachineState.IDLE
            assert len(fake.sockets) == 1  # on a new connection

    run_async(scenario())


def test_a_moonraker_that_hangs_is_left_for_a_new_connection() -> None:
    async def scenario() -> None:
        async with connected(timeout=0.3) as (fake, adapter):
            fake.silent = True
            with pytest.raises(PrinterError, match=r"stopped answering \(server\.info\)"):
                await adapter.status()
            fake.silent = False
            assert (await adapter.status()).state is MachineState.IDLE

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
        async with connected(api_key="k3y", key=key) as (fake, adapter):
            with pytest.raises(PrinterError, match=says):
                await adapter.version()
            with pytest.raises(PrinterError, match=says):
                await adapter.print_file("cube.gcode", GCODE)
            assert fake.uploads == {}

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
    follow its progress to the end (its reports to the platform: tests/integration/mqtt/
    test_agent_klipper.py)."""

    class Handler(Files):
        def do_GET(self) -> None:
            self.send_file(GCODE)

    async def scenario(platform: str) -> dict[str, bytes]:
        async with connected() as (fake, adapter):
            identity = Identity("home", "voron-1", "s3cret", platform)
            agent = Agent(BrokerConnection("127.0.0.1", 1), identity, adapter, poll_s=0.01)
            await agent.make(command(platform))  # returns once the print is done, or raises
            return fake.uploads

    with http_server(Handler) as platform:
        assert run_async(scenario(platform)) == {"part-a1.gcode": GCODE}
