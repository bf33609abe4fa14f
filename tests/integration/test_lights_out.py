"""A paid order made with no human in the loop: planned, dispatched to the digital twin's
machines, its timeline complete; a machine that dies mid-job sends the work elsewhere.

In-process and deterministic: the twin runs as fast as it can, its messages go through the same
ingest the MQTT loop uses (tests/integration/mqtt drives the real broker), and commands reach it
through the in-memory gateway. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ProcessPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine
from c2m.domains.planning.models import Operation, OperationStatus, Plan
from c2m.domains.planning.progress import LOST
from c2m.workers.production import ProductionLoop
from tests.conftest import World, run_async
from tests.factory_support import Plant, paid_orders, production, run_until_shipped, timeline


def test_paid_orders_are_made_without_a_human(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    orders = paid_orders(client, world, 3)
    loop = ProductionLoop(platform.db, plant.gateway, production(platform))
    run_until_shipped(loop, plant, orders)

    for order_id in orders:
        events = timeline(platform, order_id)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))  # no gaps, no repeats
        states = [
            e.state
            for e in events
            if e.type in {"planned", "in_production", "quality_check", "packaging", "shipped"}
        ]
        assert states == ["planned", "in_production", "quality_check", "packaging", "shipped"]
        progress = [e.progress for e in events]
        assert progress == sorted(progress)
        started = [e for e in events if e.type == "operation_started"]
        done = [e for e in events if e.type == "operation_done"]
        assert {e.data["step"] for e in started} >= {"assemble", "inspect", "pack"}
        assert all(e.data["machine"] for e in started)
        assert len(done) >= 3
    with platform.db.read() as session:
        assert session.scalar(select(Plan.id).limit(1)) is not None
        ops = list(session.scalars(select(Operation)))
    assert {op.status for op in ops} == {OperationStatus.DONE}
    _no_overlap(ops)


def _no_overlap(ops: list[Operation]) -> None:
    by_machine: dict[str, list[tuple[float, float]]] = {}
    for op in ops:
        assert op.started_at is not None
        assert op.finished_at is not None
        by_machine.setdefault(op.machine_id or "", []).append(
            (op.started_at.timestamp(), op.finished_at.timestamp())
        )
    for spans in by_machine.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end - 1e-6


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_machine_dying_mid_job_holds_the_order_and_the_work_moves(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    (order_id,) = paid_orders(client, world, 1)
    loop = ProductionLoop(platform.db, plant.gateway, production(platform, lease_margin_s=0.5))

    async def until_running() -> str:
        with ProcessPoolExecutor(max_workers=1) as pool:
            for _ in range(50):
                await loop.tick(pool)
                plant.advance(1)
                with platform.db.read() as session:
                    running = session.scalar(
                        select(Operation).where(Operation.status == OperationStatus.RUNNING)
                    )
                    if running is not None:
                        return str(running.attempt_id)
        raise AssertionError("nothing started")

    attempt = run_async(until_running())
    with platform.db.read() as session:
        op = session.scalar(select(Operation).where(Operation.attempt_id == attempt))
        assert op is not None
        machine = session.get(Machine, op.machine_id)
        assert machine is not None
        first_machine, operation_id = machine.id, op.id
    plant.twin.kill(machine.code)
    plant.flush()
    run_until_shipped(loop, plant, [order_id])
    types = [e.type for e in timeline(platform, order_id)]
    assert types.index("on_hold") < types.index("resumed") < types.index("shipped")
    with platform.db.read() as session:
        redone = session.get(Operation, operation_id)
        assert redone is not None
        assert redone.machine_id != first_machine
        assert redone.attempt_id != attempt
        attempts = list(
            session.scalars(select(JobAttempt).where(JobAttempt.operation_id == operation_id))
        )
    # The dead machine's attempt was given up when its lease ran out (it never came back to say
    # it aborted); the part was made once. The twin's machines also break down at random (mean
    # time between failures 3 days, and a slow run simulates weeks), so an attempt in between
    # may have failed: that one is closed, never held.
    outcomes = {a.attempt_id: (a.status, a.held) for a in attempts}
    assert outcomes.pop(attempt) == (AttemptStatus.STARTED, True)
    assert outcomes.pop(str(redone.attempt_id)) == (AttemptStatus.DONE, False)
    assert all(status in LOST and not held for status, held in outcomes.values())
