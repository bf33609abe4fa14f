"""One planner per factory: leases shared among live workers, and stale epochs refused by the
database itself (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from tests.conftest import World, run_async
from tests.integration.factory.fac_support import Plant, build_plant

from c2m.bootstrap import Platform
from c2m.domains.factory import leases, service
from c2m.domains.factory.gateway import MemoryGateway
from c2m.domains.factory.leases import Lease
from c2m.domains.factory.models import FactoryLease, JobAttempt
from c2m.domains.planning.models import Plan
from c2m.kernel.clock import utcnow
from c2m.workers.production import ProductionLoop

TTL = 5.0


def _round(platform: Platform, worker: str, led: dict[str, Lease], at_s: float = 0) -> dict:
    now = utcnow() + timedelta(seconds=at_s)
    with platform.db.write() as session:
        alive = leases.beat(session, worker, now, TTL)
        return leases.share(session, worker, led, alive, now, TTL)


def _plants(platform: Platform, world: World) -> tuple[Plant, Plant]:
    maker = world.maker_a.actor
    return (
        build_plant(platform, maker, world.enterprise_a.id, "north", "cut-1"),
        build_plant(platform, maker, world.enterprise_a.id, "south", "cut-2"),
    )


def _plan(platform: Platform, factory_id: str, epoch: int | None) -> None:
    with platform.db.write() as session:
        session.add(
            Plan(
                factory_id=factory_id,
                reason="test",
                operations=0,
                moved=0,
                solver="none",
                seconds=0,
                epoch=epoch,
            )
        )


def _attempt(platform: Platform, machine_id: str, epoch: int | None) -> str:
    with platform.db.write() as session:
        sent = service.issue_command(
            session, machine_id, "op-1", nominal_s=60, lease_s=600, epoch=epoch
        )
    return sent.command.attempt_id


def test_two_workers_lead_one_factory_each_and_a_dead_ones_factory_is_taken_over(
    platform: Platform, world: World
) -> None:
    north, south = _plants(platform, world)
    a = _round(platform, "worker-a", {})
    b = _round(platform, "worker-b", {})
    a = _round(platform, "worker-a", a)  # a now sees b and hands over b's share
    b = _round(platform, "worker-b", b)
    assert sorted([*a, *b]) == sorted([north.factory.id, south.factory.id])
    assert len(a) == len(b) == 1
    # worker-b dies: silent past its lease, its factory goes to worker-a under a new epoch
    (lost,) = b.values()
    later = _round(platform, "worker-a", a, at_s=TTL + 0.1)
    assert set(later) == {north.factory.id, south.factory.id}
    assert later[lost.factory_id].epoch == lost.epoch + 1


def test_a_write_from_a_stale_epoch_is_refused_by_the_database(
    platform: Platform, world: World
) -> None:
    north, _ = _plants(platform, world)
    factory_id, machine_id = north.factory.id, north.machines["cut-1"].id
    _plan(platform, factory_id, None)  # no lease yet: tools and tests write without one
    first = _round(platform, "worker-a", {})
    old = first.get(factory_id) or _round(platform, "worker-b", {})[factory_id]
    _plan(platform, factory_id, old.epoch)
    _attempt(platform, machine_id, old.epoch)
    with platform.db.write() as session:  # the leader vanished; its lease lapsed
        lease = session.get(FactoryLease, factory_id)
        assert lease is not None
        lease.expires_at = utcnow() - timedelta(seconds=1)
    new = _round(platform, "worker-c", {}, at_s=TTL * 2)[factory_id]
    assert new.epoch > old.epoch
    for write in (
        lambda: _plan(platform, factory_id, old.epoch),
        lambda: _attempt(platform, machine_id, old.epoch),
        lambda: _plan(platform, factory_id, None),
    ):
        with pytest.raises(DBAPIError) as refused:
            write()
        assert leases.is_stale(refused.value)
    attempt = _attempt(platform, machine_id, new.epoch)
    with platform.db.read() as session:
        row = session.get(JobAttempt, attempt)
        assert row is not None
        assert row.epoch == new.epoch
        epochs = session.scalars(select(Plan.epoch).where(Plan.factory_id == factory_id))
        assert sorted(e or 0 for e in epochs) == [0, old.epoch]


def test_a_takeover_waits_for_the_old_leaders_transaction_then_fences_it_off(
    platform: Platform, world: World
) -> None:
    north, _ = _plants(platform, world)
    factory_id = north.factory.id
    old = (_round(platform, "worker-a", {}) or _round(platform, "worker-b", {}))[factory_id]
    taken: list[float] = []
    inside = threading.Event()

    def take_over() -> None:
        inside.wait(5)
        _round(platform, "worker-c", {}, at_s=TTL * 2)
        taken.append(time.monotonic())

    thief = threading.Thread(target=take_over)
    thief.start()
    with platform.db.write() as session:
        leases.fence(session, old)
        inside.set()
        time.sleep(0.5)  # the takeover is under way meanwhile, but cannot commit before us
        session.add(
            Plan(
                factory_id=factory_id,
                reason="old leader",
                operations=0,
                moved=0,
                solver="-",
                seconds=0,
                epoch=old.epoch,
            )
        )
        session.flush()
        committing = time.monotonic()
    thief.join(10)
    assert taken
    assert taken[0] >= committing
    with pytest.raises(DBAPIError) as refused:
        _plan(platform, factory_id, old.epoch)
    assert leases.is_stale(refused.value)
    with pytest.raises(leases.StaleLease), platform.db.write() as session:
        leases.fence(session, old)


def test_a_stopped_worker_stops_and_lets_its_factory_go_even_when_woken_as_it_is_stopped(
    platform: Platform, world: World
) -> None:
    north, _ = _plants(platform, world)
    loop = ProductionLoop(platform.db, MemoryGateway(), platform.settings)

    async def stop_while_woken() -> None:
        running = asyncio.create_task(loop.run())
        while north.factory.id not in loop.leases:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # between ticks, waiting to be woken
        loop.wake.set()
        running.cancel()
        await asyncio.wait({running}, timeout=10)
        assert running.done(), "the worker ran on after it was stopped"

    run_async(stop_while_woken(), timeout=60)
    with platform.db.read() as session:
        lease = session.get(FactoryLease, north.factory.id)
        assert lease is not None
        assert lease.holder is None


@given(
    factories=st.lists(st.text("abcdef", min_size=1, max_size=4), unique=True, max_size=12),
    workers=st.lists(st.text("xyz0123", min_size=1, max_size=4), unique=True, min_size=1),
)
def test_the_assignment_is_balanced_and_the_same_whatever_order_the_lists_come_in(
    factories: list[str], workers: list[str]
) -> None:
    wanted = leases.assignment(factories, workers)
    assert set(wanted) == set(factories)
    loads = [list(wanted.values()).count(w) for w in workers]
    assert max(loads) - min(loads) <= 1
    assert leases.assignment(factories[::-1], workers[::-1]) == wanted
