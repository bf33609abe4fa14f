"""Brokers for the MQTT tests: the real Mosquitto, and the embedded amqtt on a free port.

Mosquitto tests run whenever ``C2M_TEST_MQTT_URL`` (default mqtt://127.0.0.1:1883) answers; with
``C2M_REQUIRE_MQTT=1`` (set in CI) an unreachable broker fails them instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import paho.mqtt.client as mqtt
import pytest
from bench import harness

from c2m.kernel.mqtt import BrokerConnection
from c2m.settings import Settings
from c2m.workers.broker import BrokerThread
from c2m.workers.mqtt import broker_connection
from tests.conftest import free_port, run_async

MQTT_URL = os.environ.get("C2M_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
REQUIRE_MQTT = os.environ.get("C2M_REQUIRE_MQTT") == "1"
T = TypeVar("T")


@pytest.fixture(scope="session")
def mosquitto() -> BrokerConnection:
    connection = broker_connection(Settings(mqtt_url=MQTT_URL))
    try:
        socket.create_connection((connection.host, connection.port), timeout=3).close()
    except OSError as exc:
        reason = f"no MQTT broker at {MQTT_URL} ({exc.strerror or exc})"
        if REQUIRE_MQTT:
            pytest.fail(reason + " and C2M_REQUIRE_MQTT=1")
        pytest.skip(reason)
    return connection


@pytest.fixture
def plant_broker(tmp_path: Path) -> Iterator[BrokerConnection]:
    """The real Mosquitto set up as docs/deploy.md says for a plant (no QoS 1 message dropped for
    a full queue), of the test's own: a whole plant's traffic, alone on its broker."""
    with harness.own_mosquitto(tmp_path) as port:
        yield BrokerConnection("127.0.0.1", port)


@pytest.fixture
def embedded() -> Iterator[BrokerThread]:
    broker = BrokerThread(port=free_port())
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(params=["mosquitto", "amqtt"])
def broker(request: pytest.FixtureRequest) -> BrokerConnection:
    """Each test that takes this runs against Mosquitto and against the embedded broker."""
    if request.param == "mosquitto":
        connection: BrokerConnection = request.getfixturevalue("mosquitto")
        return connection
    thread: BrokerThread = request.getfixturevalue("embedded")
    return BrokerConnection(thread.broker.host, thread.broker.port)


def unique(prefix: str) -> str:
    """Topic levels and client ids no other test (or engineer) on the shared broker uses."""
    return f"{prefix}{secrets.token_hex(4)}"


@pytest.fixture
def sessions() -> Iterator[list[tuple[str, int, str]]]:
    """(host, port, client id) of persistent sessions a test opened, ended afterwards so the shared
    Mosquitto does not keep queueing messages for them forever."""
    opened: list[tuple[str, int, str]] = []
    yield opened
    for host, port, client_id in opened:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id, clean_session=True)
        try:
            client.connect(host, port)
        except OSError:
            continue  # the broker is gone (an embedded one), and the session with it
        client.loop_start()
        deadline = time.monotonic() + 5
        while not client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.01)
        client.disconnect()
        client.loop_stop()


def run(scenario: Awaitable[T], timeout: float = 60) -> T:
    return run_async(scenario, timeout)


async def until(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    """Poll ``condition`` (a database read) until it holds; fail saying ``what`` never happened."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        await asyncio.sleep(0.05)
