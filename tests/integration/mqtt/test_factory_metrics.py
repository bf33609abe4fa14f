"""The factory's metrics move with what it does: machine messages received and dropped by reason
(over a real broker), plans timed, commands timed to the broker's acknowledgement, the epoch of
each factory led."""

from __future__ import annotations

import asyncio
import json
import time

import aiomqtt
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.contract import topic
from c2m.domains.factory.models import Factory
from c2m.kernel.mqtt import BrokerConnection
from c2m.workers.ingest import IngestWorker
from c2m.workers.production import ProductionLoop
from tests.conftest import World, run_async
from tests.factory_support import Plant, paid_orders
from tests.integration.factory.fac_support import build_plant
from tests.integration.mqtt.conftest import run, unique


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ingest_counts_what_it_received_and_why_it_dropped(
    platform: Platform,
    world: World,
    mosquitto: BrokerConnection,
    sessions: list[tuple[str, int, str]],
) -> None:
    host, port = mosquitto.host, mosquitto.port
    ingest_id = unique("metrics")
    sessions.append((host, port, ingest_id))
    code = unique("met")
    build_plant(platform, world.maker_a.actor, world.enterprise_a.id, code, "m1")
    messages = [
        (topic(code, "m1", "birth"), json.dumps({"bdSeq": 1}).encode()),
        (topic(code, "m1", "state"), b"not json at all"),
        (topic(code, "ghost", "birth"), json.dumps({"bdSeq": 0}).encode()),
        (topic(code, "ghost", "birth"), json.dumps({"bdSeq": 0}).encode()),
    ]
    before = {
        "received": value("c2m_ingest_messages_received_total"),
        "malformed": value("c2m_ingest_messages_dropped_total", reason="malformed"),
        "unknown": value("c2m_ingest_messages_dropped_total", reason="unknown machine"),
    }

    async def scenario() -> None:
        worker = IngestWorker(platform.db, mosquitto, lease_s=600, client_id=ingest_id)
        worker.lead({code})
        task = asyncio.create_task(worker.run())
        await asyncio.wait_for(worker.connected.wait(), 10)
        assert worker.problem is None
        async with aiomqtt.Client(host, port) as machine:
            for name, payload in messages:
                await machine.publish(name, payload, qos=1)
        deadline = time.monotonic() + 20
        while worker.stats.received < len(messages) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await worker.drained()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    run(scenario())
    assert value("c2m_ingest_messages_received_total") - before["received"] == 4
    malformed = value("c2m_ingest_messages_dropped_total", reason="malformed")
    assert malformed - before["malformed"] == 1
    unknown = value("c2m_ingest_messages_dropped_total", reason="unknown machine")
    assert unknown - before["unknown"] == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_plans_dispatches_and_leader_epochs_are_measured(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    paid_orders(client, world, 2)
    settings = platform.settings.model_copy(update={"factory_time_scale": 600.0})
    loop = ProductionLoop(platform.db, plant.gateway, settings)
    with platform.db.read() as session:
        (factory_id,) = session.scalars(select(Factory.id))
    plans = value("c2m_plan_duration_seconds_count", factory=factory_id)
    dispatches = value("c2m_dispatch_latency_seconds_count", factory=factory_id)

    async def scenario() -> None:
        running = asyncio.create_task(loop.run())
        deadline = time.monotonic() + 60
        while value("c2m_dispatch_latency_seconds_count", factory=factory_id) == dispatches:
            assert time.monotonic() < deadline, "nothing was dispatched"
            plant.advance(60)
            await asyncio.sleep(0.05)
        (lease,) = loop.leases.values()
        assert value("c2m_leader_epoch", factory=factory_id) == lease.epoch >= 1
        running.cancel()  # the worker stops and lets its factory go
        await asyncio.gather(running, return_exceptions=True)

    run_async(scenario(), timeout=90)
    assert value("c2m_plan_duration_seconds_count", factory=factory_id) > plans
    assert value("c2m_plan_duration_seconds_sum", factory=factory_id) > 0
    assert value("c2m_dispatch_latency_seconds_sum", factory=factory_id) > 0
    assert REGISTRY.get_sample_value("c2m_leader_epoch", {"factory": factory_id}) is None
