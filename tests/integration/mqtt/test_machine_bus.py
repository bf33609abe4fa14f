"""What ``c2m demo`` gets: the embedded broker, the ingest and the demo twin in one process."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from c2m.bootstrap import Platform, build_factory
from c2m.demo.factory import demo_factory
from c2m.domains.factory.models import Machine
from c2m.domains.factory.service import register_plant
from c2m.domains.factory.vocabulary import MachineState
from c2m.engines.simulation import Twin, make_environment
from tests.conftest import World, free_port, make_settings


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


def test_the_demo_plant_comes_alive_on_the_embedded_broker_and_says_goodbye(
    platform: Platform, world: World, tmp_path: Path
) -> None:
    spec = demo_factory()
    with platform.db.write() as session:
        factory = register_plant(session, world.enterprise_a.id, spec)
        assert register_plant(session, world.enterprise_a.id, spec).id == factory.id
    settings = make_settings(platform.db.url, tmp_path, mqtt_port=free_port())
    twin = Twin(spec, seed=3, env=make_environment(speed=60))
    bus = build_factory(settings, platform.db, twin=twin)
    bus.start()
    try:
        _wait(
            lambda: all(s is not MachineState.OFFLINE for s in _states(platform, factory.id)),
            "every demo machine's birth",
        )
    finally:
        bus.stop()
    states = _states(platform, factory.id)
    assert len(states) == len(spec.machines) == 17
    assert set(states) == {MachineState.OFFLINE}  # each said goodbye with its death
