"""What ``c2m demo`` gets: the embedded broker, the ingest and the demo twin in one process."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform, build_factory
from c2m.demo.factory import demo_factory
from c2m.domains.factory.ingest import Raw
from c2m.domains.factory.models import Machine
from c2m.domains.factory.service import register_plant
from c2m.domains.factory.vocabulary import MachineState
from c2m.engines.simulation import Twin, make_environment
from c2m.workers.ingest import IngestWorker
from tests.conftest import World, free_port, make_settings
from tests.factory_support import paid_orders, timeline


def _states(platform: Platform, factory_id: str) -> list[MachineState]:
    with platform.db.read() as session:
        query = select(Machine.state).where(Machine.factory_id == factory_id)
        return list(session.scalars(query))


def _wait(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.1)


def _until_every_machine_is_born(platform: Platform, factory_id: str, tmp_path: Path) -> None:
    """The demo twin's plant on the embedded broker, run until every machine said hello, then
    stopped (each says goodbye)."""
    settings = make_settings(platform.db.url, tmp_path, mqtt_port=free_port())
    twin = Twin(demo_factory(), seed=3, env=make_environment(speed=60))
    bus = build_factory(settings, platform.db, twin=twin)
    bus.start()
    try:
        _wait(
            lambda: all(s is not MachineState.OFFLINE for s in _states(platform, factory_id)),
            "every demo machine's birth",
        )
    finally:
        bus.stop()


def test_the_demo_plant_comes_alive_on_the_embedded_broker_and_says_goodbye(
    platform: Platform, world: World, tmp_path: Path
) -> None:
    spec = demo_factory()
    with platform.db.write() as session:
        factory = register_plant(session, world.enterprise_a.id, spec)
        assert register_plant(session, world.enterprise_a.id, spec).id == factory.id
    _until_every_machine_is_born(platform, factory.id, tmp_path)
    states = _states(platform, factory.id)
    assert len(states) == len(spec.machines) == 17
    assert set(states) == {MachineState.OFFLINE}  # each said goodbye with its death


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_slow_database_does_not_make_the_embedded_broker_give_up_on_messages(
    platform: Platform,
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    spec = demo_factory()
    with platform.db.write() as session:
        factory = register_plant(session, world.enterprise_a.id, spec)
    apply, held = IngestWorker._apply, []

    def slowly(worker: IngestWorker, messages: list[Raw]) -> None:
        if not held:
            held.append(True)
            time.sleep(6)  # longer than amqtt waits for an acknowledgement (5 s)
        apply(worker, messages)

    monkeypatch.setattr(IngestWorker, "_apply", slowly)
    _until_every_machine_is_born(platform, factory.id, tmp_path)
    assert held
    gave_up = [r.getMessage() for r in caplog.records if "Timeout waiting" in r.getMessage()]
    assert not gave_up


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_factorys_own_events_wake_planning_and_dispatch(
    platform: Platform, world: World, client: TestClient, tmp_path: Path
) -> None:
    """A minute between the production loop's rounds, yet an order's three steps are made in
    seconds: each report the ingest writes is relayed on the bus and wakes the loop at once."""
    spec = demo_factory()
    with platform.db.write() as session:
        register_plant(session, world.enterprise_a.id, spec)
    order_id = paid_orders(client, world, 1)[0]
    settings = make_settings(
        platform.db.url,
        tmp_path,
        mqtt_port=free_port(),
        production_tick_seconds=60,
        factory_time_scale=600,
    )
    platform.start()  # the outbox relay publishes on platform.bus
    twin = Twin(spec, seed=3, env=make_environment(speed=600))
    factory = build_factory(settings, platform.db, twin=twin, bus=platform.bus)
    factory.start()
    try:
        _wait(
            lambda: sum(e.type == "operation_done" for e in timeline(platform, order_id)) >= 3,
            "the order's three steps done",
            timeout=55,
        )
    finally:
        factory.stop()
