"""The digital twin behind a real broker: commands in, the contract out, the database follows.
A death mid-job holds the attempt; the next birth says it was aborted; a restarted broker loses
no event and runs no command twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select

from c2m.bootstrap import Platform
from c2m.domains.factory import events, service
from c2m.domains.factory.models import AttemptStatus, MachineEvent, MachineEventKind
from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.domains.factory.service import Dispatch
from c2m.domains.factory.vocabulary import MachineState
from c2m.engines.simulation import EventLog, Twin, factory_from_dict, make_environment
from c2m.kernel.mqtt import BrokerConnection
from c2m.workers.broker import BrokerThread
from c2m.workers.commands import resend_unanswered
from c2m.workers.ingest import IngestWorker
from c2m.workers.twin_bridge import TwinBridge, client_id
from tests.conftest import World, free_port
from tests.integration.factory.fac_support import Plant, attempt, build_plant, machine_row, outbox
from tests.integration.mqtt.conftest import run, unique, until

SPEED = 600  # ten simulated minutes per wall second


def _twin(platform: Platform, world: World, *machines: str) -> tuple[Twin, EventLog, Plant]:
    code = unique("t")
    spec = factory_from_dict(
        {
            "id": code,
            "defaults": {"noise_sigma": 0, "telemetry_period_s": 60},
            "machines": [{"id": m, "capabilities": ["sheet-cut"]} for m in machines],
        }
    )
    twin = Twin(spec, seed=1, env=make_environment(speed=SPEED))
    log = EventLog()
    twin.subscribe(log)
    plant = build_plant(platform, world.maker_a.actor, world.enterprise_a.id, code, *machines)
    return twin, log, plant


def _issue(
    platform: Platform, plant: Plant, machine: str, operation: str, wall_s: float
) -> Dispatch:
    with platform.db.write() as session:
        return service.issue_command(
            session,
            plant.machines[machine].id,
            operation,
            nominal_s=wall_s * SPEED,
            lease_s=600,
            family="f",
        )


def _is(platform: Platform, attempt_id: str, status: AttemptStatus) -> Callable[[], bool]:
    return lambda: attempt(platform, attempt_id).status is status


async def _running(
    worker: IngestWorker, bridge: TwinBridge, body: Callable[[], Awaitable[None]]
) -> None:
    """Run the ingest, then the twin (whose births it must hear), around ``body``."""
    tasks = [asyncio.create_task(worker.run())]
    try:
        await asyncio.wait_for(worker.connected.wait(), 10)
        tasks.append(asyncio.create_task(bridge.run()))
        await body()
        await worker.drained()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _all_done(platform: Platform, jobs: list[Dispatch]) -> bool:
    return all(_is(platform, job.command.attempt_id, AttemptStatus.DONE)() for job in jobs)


def _all_idle(platform: Platform, plant: Plant) -> bool:
    return all(machine_row(platform, m).state is MachineState.IDLE for m in plant.machines.values())


def _started(log: EventLog) -> Counter[str]:
    return Counter(
        str(e.payload["attempt_id"]) for e in log.events if e.phase == "started" and e.operation
    )


def test_a_machine_that_dies_mid_job_holds_its_attempt_until_its_birth_says_aborted(
    platform: Platform, world: World, broker: BrokerConnection, sessions: list[tuple[str, int, str]]
) -> None:
    twin, log, plant = _twin(platform, world, "m1", "m2")
    ingest_id = unique("ingest")
    sessions += [
        (broker.host, broker.port, ingest_id),
        *((broker.host, broker.port, client_id(twin.factory.id, m)) for m in plant.machines),
    ]
    worker = IngestWorker(platform.db, broker, lease_s=600, client_id=ingest_id)
    bridge = TwinBridge(twin, broker)
    short = [_issue(platform, plant, "m1", f"cut{i}", 0.3) for i in range(2)]
    long = _issue(platform, plant, "m2", "mill", 60)

    async def story() -> None:
        for machine in plant.machines.values():
            await until(
                lambda m=machine: machine_row(platform, m).state is MachineState.IDLE, "birth"
            )
        async with MqttGateway(broker) as gateway:
            for dispatch in [*short, long, short[0]]:  # the repeat is acknowledged, never run
                await gateway.send(dispatch)
        for dispatch in short:
            await until(_is(platform, dispatch.command.attempt_id, AttemptStatus.DONE), "done")
        await until(_is(platform, long.command.attempt_id, AttemptStatus.STARTED), "started")
        bridge.control(lambda t: t.kill("m2"))
        m2 = plant.machines["m2"]
        await until(lambda: machine_row(platform, m2).state is MachineState.OFFLINE, "death")
        assert attempt(platform, long.command.attempt_id).held
        bridge.control(lambda t: t.revive("m2"))
        await until(_is(platform, long.command.attempt_id, AttemptStatus.ABORTED), "aborted")

    run(_running(worker, bridge, story))
    assert _started(log) == {d.command.attempt_id: 1 for d in [*short, long]}
    died = [d for d in outbox(platform, events.MACHINE_DIED) if d["machine"] == "m2"]
    assert [d["in_flight"] for d in died] == [[long.command.attempt_id]]
    born = [b["aborted"] for b in outbox(platform, events.MACHINE_BORN) if b["machine"] == "m2"]
    assert born == [[], [long.command.attempt_id]]


def test_what_machines_said_while_no_ingest_listened_is_said_again_when_it_subscribes(
    platform: Platform, world: World, broker: BrokerConnection, sessions: list[tuple[str, int, str]]
) -> None:
    """A broker keeps nothing for a subscriber it has never seen (nor, without persistence, for
    one from before its restart): the ingest's rebirth request has the machines restate."""
    twin, log, plant = _twin(platform, world, "m1", "m2")
    sessions += [(broker.host, broker.port, client_id(twin.factory.id, m)) for m in plant.machines]
    bridge = TwinBridge(twin, broker)
    job = _issue(platform, plant, "m1", "cut", 0.2)
    ingest_id = unique("ingest")
    sessions.append((broker.host, broker.port, ingest_id))
    worker = IngestWorker(platform.db, broker, lease_s=600, client_id=ingest_id)

    def reported_done() -> bool:
        return any(e.phase == "done" for e in log.events if e.machine_id == "m1")

    async def story() -> None:
        twin_task = asyncio.create_task(bridge.run())
        ingest_task: asyncio.Task[None] | None = None
        try:
            await until(lambda: bridge.connections >= 2, "both machines connected")
            async with MqttGateway(broker) as gateway:
                await gateway.send(job)
            await until(reported_done, "the twin made the part")
            assert machine_row(platform, plant.machines["m1"]).state is MachineState.OFFLINE
            ingest_task = asyncio.create_task(worker.run())
            await until(_is(platform, job.command.attempt_id, AttemptStatus.DONE), "done")
            await until(lambda: _all_idle(platform, plant), "both machines known idle")
        finally:
            for task in (twin_task, ingest_task):
                if task is not None:
                    task.cancel()
            await asyncio.gather(
                twin_task, *([ingest_task] if ingest_task else []), return_exceptions=True
            )

    run(story())
    assert _started(log) == {job.command.attempt_id: 1}


def test_a_broker_restart_mid_run_loses_no_event_and_runs_no_command_twice(
    platform: Platform, world: World
) -> None:
    port = free_port()
    broker = BrokerConnection("127.0.0.1", port)
    brokers = [BrokerThread(port=port)]
    brokers[0].start()
    machines = ("m1", "m2", "m3")
    twin, log, plant = _twin(platform, world, *machines, "idle")
    worker = IngestWorker(platform.db, broker, lease_s=600, client_id=unique("ingest"))
    bridge = TwinBridge(twin, broker)
    jobs = [_issue(platform, plant, m, f"op{i}", 0.8) for m in machines for i in range(4)]

    async def story() -> None:
        for machine in plant.machines.values():
            await until(
                lambda m=machine: machine_row(platform, m).state is MachineState.IDLE, "birth"
            )
        async with MqttGateway(broker) as gateway:
            for dispatch in jobs:
                await gateway.send(dispatch)
            await asyncio.sleep(1.2)  # mid-run: some done, some running, some queued
            await asyncio.to_thread(brokers[0].stop, 30)  # slow on a busy machine
            await asyncio.sleep(1.0)
            brokers.append(BrokerThread(port=port))
            await asyncio.to_thread(brokers[-1].start)
            await until(lambda: worker.connections >= 2, "the ingest resubscribed")
            await until(  # the idle machine too: it must hear its next command
                lambda: bridge.connections >= 2 * len(plant.machines), "every machine reconnected"
            )
            await resend_unanswered(platform.db, gateway, older_than_s=0)
            jobs.append(_issue(platform, plant, "idle", "after", 0.2))
            await gateway.send(jobs[-1])
            for _ in range(60):  # as a plant's timer would, resending what is still unanswered
                if await asyncio.to_thread(_all_done, platform, jobs):
                    break
                await resend_unanswered(platform.db, gateway, older_than_s=1)
                await asyncio.sleep(1)
            else:
                statuses = [attempt(platform, j.command.attempt_id).status for j in jobs]
                pytest.fail(f"never happened: all done ({Counter(statuses)})")

    try:
        run(_running(worker, bridge, story), timeout=150)
    finally:
        brokers[-1].stop()
    assert _started(log) == {d.command.attempt_id: 1 for d in jobs}
    twin_states = Counter(e.machine_id for e in log.events if e.kind == "state")
    assert _state_rows(platform, plant) == twin_states


def _state_rows(platform: Platform, plant: Plant) -> Counter[str]:
    codes = {m.id: code for code, m in plant.machines.items()}
    with platform.db.read() as session:
        query = (
            select(MachineEvent.machine_id, func.count())
            .where(MachineEvent.kind == MachineEventKind.STATE)
            .where(MachineEvent.machine_id.in_(codes))
            .group_by(MachineEvent.machine_id)
        )
        return Counter({codes[mid]: n for mid, n in session.execute(query)})
