"""The ingest loop on a real broker: the contract's rules hold end to end, hostile input is
dropped with a reason and the loop keeps going."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.contract import topic
from c2m.domains.factory.models import AttemptStatus, MachineEvent, MachineEventKind
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from c2m.workers.ingest import IngestWorker
from tests.conftest import World
from tests.integration.factory.fac_support import attempt, build_plant, command, machine_row
from tests.integration.mqtt.conftest import run, unique, until


def _kinds(platform: Platform, machine_id: str) -> list[tuple[MachineEventKind, dict | None]]:
    with platform.db.read() as session:
        query = select(MachineEvent).where(MachineEvent.machine_id == machine_id)
        return [(e.kind, e.data) for e in session.scalars(query.order_by(MachineEvent.id))]


def test_over_the_broker_stale_deaths_gaps_repeats_and_hostile_messages_change_nothing(
    platform: Platform,
    world: World,
    broker: BrokerConnection,
    sessions: list[tuple[str, int, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ingest_id = unique("ingest")
    sessions.append((broker.host, broker.port, ingest_id))
    code, theirs = unique("n"), unique("s")
    north = build_plant(platform, world.maker_a.actor, world.enterprise_a.id, code, "m1")
    south = build_plant(platform, world.maker_b.actor, world.enterprise_b.id, theirs, "x1")
    m1 = north.machines["m1"]
    job = command(platform, m1)
    hostile: list[tuple[str, bytes]] = [
        (topic(code, "m1", "state"), b"not json at all"),
        (topic(code, "m1", "state"), json.dumps({"state": 3}).encode()),
        (topic(code, "m1", "telemetry"), json.dumps({"seq": "7"}).encode()),
        (topic(code, "ghost", "birth"), json.dumps({"bdSeq": 0}).encode()),
        (topic(code, "x1", "birth"), json.dumps({"bdSeq": 0}).encode()),  # the other tenant's
        (topic(theirs, "m1", "death"), json.dumps({"bdSeq": 2}).encode()),  # m1 on their topic
        (topic(code, "m1", "job/op1/done"), b'{"attempt_id": {"$ne": null}}'),
    ]

    def say(kind: str, **body: object) -> tuple[str, bytes]:
        return topic(code, "m1", kind), json.dumps(body).encode()

    story = [
        say("birth", bdSeq=1),
        say("birth", bdSeq=2),  # reconnected; the will of session 1 comes late
        say("death", bdSeq=1),
        *(say("telemetry", seq=s, state="idle") for s in (0, 1, 5)),
        say("job/op1/done", attempt_id=job, outcome="pass"),
        say("job/op1/started", attempt_id=job),
        say("job/op1/accepted", attempt_id=job, duplicate=True),
        *hostile,
        say("state", state="running", reason="after the storm"),
    ]

    async def scenario() -> IngestWorker:
        worker = IngestWorker(platform.db, broker, lease_s=600, client_id=ingest_id)
        worker.lead({code, theirs})  # other tests' machines share the broker: not ours to count
        task = asyncio.create_task(worker.run())
        await asyncio.wait_for(worker.connected.wait(), 10)
        async with broker.client() as machine:
            for name, payload in story:
                await machine.publish(name, payload, qos=1)
        await until(lambda: machine_row(platform, m1).state is MachineState.RUNNING, "m1 running")
        await worker.drained()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return worker

    with caplog.at_level(logging.WARNING, logger="c2m.domains.factory.ingest"):
        worker = run(scenario())
    row = machine_row(platform, m1)
    assert (row.bd_seq, row.state_reason) == (2, "after the storm")
    kinds = _kinds(platform, m1.id)
    assert (MachineEventKind.STALE_DEATH, None) in kinds
    assert (MachineEventKind.DEATH, {"in_flight": []}) not in kinds
    gaps = [data for kind, data in kinds if kind is MachineEventKind.TELEMETRY_GAP]
    assert gaps == [{"expected": 2, "got": 5, "missing": 3}]
    settled = attempt(platform, job)
    assert (settled.status, settled.started_at) == (AttemptStatus.DONE, None)
    assert worker.stats.dropped == len(hostile) + 1  # and the stale death
    assert machine_row(platform, south.machines["x1"]).state is MachineState.OFFLINE
    assert "no machine 'ghost'" in caplog.text
