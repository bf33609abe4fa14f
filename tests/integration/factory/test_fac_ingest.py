"""The ingest believes the bus only as far as the contract allows: sessions, order, tenancy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from fac_support import (
    Plant,
    attempt,
    build_plant,
    command,
    feed,
    machine_row,
    outbox,
    outbox_count,
    raw,
)
from sqlalchemy import select
from tests.conftest import World

from c2m.bootstrap import Platform
from c2m.domains.factory import events, service
from c2m.domains.factory.ingest import DropLog, Ingest
from c2m.domains.factory.models import (
    AttemptStatus,
    MachineEvent,
    MachineEventKind,
    TelemetrySample,
)
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.clock import utcnow


@pytest.fixture
def north(platform: Platform, world: World) -> Plant:
    return build_plant(platform, world.maker_a.actor, world.enterprise_a.id, "north", "m1", "m2")


@pytest.fixture
def ingest() -> Ingest:
    return Ingest(lease_s=600)


def _events(platform: Platform, plant: Plant, kind: MachineEventKind) -> list[MachineEvent]:
    with platform.db.read() as session:
        query = select(MachineEvent).where(MachineEvent.kind == kind)
        ids = [m.id for m in plant.machines.values()]
        return list(session.scalars(query.where(MachineEvent.machine_id.in_(ids))))


def test_birth_state_and_death_move_the_machine_and_keep_the_reasons(
    platform: Platform, north: Plant, ingest: Ingest
) -> None:
    m1 = north.machines["m1"]
    feed(
        platform,
        ingest,
        raw("north", "m1", "birth", {"bdSeq": 3, "capabilities": ["sheet-cut"]}),
        raw("north", "m1", "state", {"state": "running", "operation": "op1"}),
        raw("north", "m1", "state", {"state": "down", "reason": "nozzle clogged"}),
    )
    row = machine_row(platform, m1)
    assert (row.state, row.state_reason, row.bd_seq) == (MachineState.DOWN, "nozzle clogged", 3)
    states = [
        (e["previous"], e["state"], e["reason"]) for e in outbox(platform, events.MACHINE_STATE)
    ]
    assert states == [
        ("offline", "idle", "birth"),
        ("idle", "running", None),
        ("running", "down", "nozzle clogged"),
    ]
    feed(platform, ingest, raw("north", "m1", "death", {"bdSeq": 3}))
    assert machine_row(platform, m1).state is MachineState.OFFLINE
    assert [e["bd_seq"] for e in outbox(platform, events.MACHINE_DIED)] == [3]


def test_a_late_death_with_an_old_bdseq_never_marks_a_live_machine_offline(
    platform: Platform, north: Plant, ingest: Ingest
) -> None:
    feed(
        platform,
        ingest,
        raw("north", "m1", "birth", {"bdSeq": 1}),
        raw("north", "m1", "birth", {"bdSeq": 2}),  # reconnected before the old will arrived
        raw("north", "m1", "death", {"bdSeq": 1}),
    )
    assert machine_row(platform, north.machines["m1"]).state is MachineState.IDLE
    stale = _events(platform, north, MachineEventKind.STALE_DEATH)
    assert [e.bd_seq for e in stale] == [1]
    assert outbox(platform, events.MACHINE_DIED) == []


def test_a_death_holds_the_attempts_in_flight_and_the_next_birth_settles_them(
    platform: Platform, north: Plant, ingest: Ingest
) -> None:
    m1 = north.machines["m1"]
    running, queued, finished = (command(platform, m1, op) for op in ("a", "b", "c"))
    feed(
        platform,
        ingest,
        raw("north", "m1", "birth", {"bdSeq": 0}),
        raw("north", "m1", "job/a/started", {"attempt_id": running}),
        raw("north", "m1", "job/b/accepted", {"attempt_id": queued}),
        raw("north", "m1", "job/c/done", {"attempt_id": finished, "outcome": "pass"}),
        raw("north", "m1", "death", {"bdSeq": 0}),
    )
    died = outbox(platform, events.MACHINE_DIED)
    assert [sorted(d["in_flight"]) for d in died] == [sorted([running, queued])]
    assert attempt(platform, running).held
    with platform.db.read() as session:
        assert service.lost_attempts(session) == []  # fate unknown, lease running
        later = utcnow() + timedelta(seconds=601)
        assert {a.attempt_id for a in service.lost_attempts(session, later)} == {running, queued}

    feed(platform, ingest, raw("north", "m1", "birth", {"bdSeq": 1, "aborted": [running]}))
    lost = attempt(platform, running)
    assert (lost.status, lost.held) == (AttemptStatus.ABORTED, False)
    assert attempt(platform, queued).held  # not listed: still unknown
    assert [e["attempt_id"] for e in outbox(platform, events.job_topic("aborted"))] == [running]
    with platform.db.read() as session:
        assert [a.attempt_id for a in service.lost_attempts(session)] == [running]


def test_duplicate_and_out_of_order_job_messages_change_nothing(
    platform: Platform, north: Plant, ingest: Ingest
) -> None:
    attempt_id = command(platform, north.machines["m1"])
    job = {"attempt_id": attempt_id}
    feed(
        platform,
        ingest,
        raw("north", "m1", "birth", {"bdSeq": 0}),
        raw("north", "m1", "job/op1/progress", {**job, "percent": 50}),
        raw("north", "m1", "job/op1/done", {**job, "outcome": "pass"}),
    )
    settled = attempt(platform, attempt_id)
    before = outbox_count(platform)
    feed(
        platform,
        ingest,
        raw("north", "m1", "job/op1/started", job),
        raw("north", "m1", "job/op1/accepted", {**job, "duplicate": True}),
        raw("north", "m1", "job/op1/progress", {**job, "percent": 75}),
        raw("north", "m1", "job/op1/failed", {**job, "reason": "late"}),
        raw("north", "m1", "job/op1/done", {**job, "outcome": "scrap"}),
    )
    after = attempt(platform, attempt_id)
    assert (after.status, after.percent, after.outcome) == (AttemptStatus.DONE, 100, "pass")
    assert after.ended_at == settled.ended_at
    assert outbox_count(platform) == before


def test_an_inspections_measurements_are_kept_with_its_attempt_and_bad_ones_refused(
    platform: Platform, north: Plant, ingest: Ingest
) -> None:
    attempt_id = command(platform, north.machines["m1"])
    measured = [
        {"name": "door-gap", "value": 3.1, "unit": "mm", "piece": 1},
        {"name": "door-gap", "value": 2.8, "piece": 2},
    ]
    bad = [{"name": "door-gap", "value": "3.1"}]  # a number as text: the contract is strict
    stats = feed(
        platform,
        ingest,
        raw("north", "m1", "birth", {"bdSeq": 0}),
        raw("north", "m1", "job/op1/done", {"attempt_id": attempt_id, "measurements": bad}),
        raw("north", "m1", "job/op1/done", {"attempt_id": attempt_id, "measurements": measured}),
    )
    assert stats.reasons == {"malformed": 1}
    assert attempt(platform, attempt_id).measurements == [
        {"name": "door-gap", "value": 3.1, "unit": "mm", "piece": 1},
        {"name": "door-gap", "value": 2.8, "unit": None, "piece": 2},
    ]


def test_telemetry_is_stored_and_a_seq_gap_is_recorded_across_the_wrap(
    platform: Platform, north: Plant, ingest: Ingest
) -> None:
    sample = {"state": "running", "power_kw": 4.5, "parts": 3}
    seqs = [254, 255, 0, 1, 4, 4, 5]  # wraps cleanly, skips 2 and 3, repeats 4
    stats = feed(
        platform,
        ingest,
        raw("north", "m1", "birth", {"bdSeq": 0}),
        *(raw("north", "m1", "telemetry", {**sample, "seq": s}) for s in seqs),
    )
    assert (stats.telemetry, stats.gaps) == (6, 1)
    gaps = _events(platform, north, MachineEventKind.TELEMETRY_GAP)
    assert [g.data for g in gaps] == [{"expected": 2, "got": 4, "missing": 2}]
    with platform.db.read() as session:
        stored = list(session.scalars(select(TelemetrySample.seq).order_by(TelemetrySample.id)))
    assert stored == [254, 255, 0, 1, 4, 5]
    # A new session restarts at 0 without a gap.
    feed(
        platform,
        ingest,
        raw("north", "m1", "birth", {"bdSeq": 1}),
        raw("north", "m1", "telemetry", {**sample, "seq": 0}),
    )
    assert len(_events(platform, north, MachineEventKind.TELEMETRY_GAP)) == 1


def test_one_batch_follows_each_session_of_telemetry_and_stores_every_reading(
    platform: Platform, north: Plant, ingest: Ingest
) -> None:
    # The ingest keeps a machine's seq aside while a batch goes, and writes rows through the
    # driver (COPY on PostgreSQL): a birth in the middle must still restart the seq, and each
    # column must come back as the contract said it.
    at_ms = int(utcnow().timestamp() * 1000) - 60_000
    reading = {"state": "running", "power_kw": 1, "parts": 7, "operation": "op-9"}
    stats = feed(
        platform,
        ingest,
        raw("north", "m1", "birth", {"bdSeq": 0}),
        *(raw("north", "m1", "telemetry", {"seq": s, "ts": at_ms + s}) for s in (0, 1, 2)),
        raw("north", "m1", "birth", {"bdSeq": 1}),  # a new session: seq 0 again, no gap
        raw("north", "m1", "telemetry", {"seq": 0, "values": {"temp": 21.5}, **reading}),
        raw("north", "m2", "telemetry", {"seq": 9, "ts": at_ms}),
    )
    assert (stats.telemetry, stats.gaps, stats.dropped) == (5, 0, 0)
    assert machine_row(platform, north.machines["m1"]).telemetry_seq == 0
    assert machine_row(platform, north.machines["m2"]).telemetry_seq == 9
    with platform.db.read() as session:
        rows = list(session.scalars(select(TelemetrySample).order_by(TelemetrySample.id)))
    first, last = rows[0], rows[3]
    assert first.at == datetime.fromtimestamp(at_ms / 1000, UTC)
    assert (first.seq, first.state, first.power_kw, first.extra) == (0, None, None, None)
    assert (last.seq, last.state, last.power_kw, last.parts) == (0, "running", 1.0, 7)
    assert (last.operation_id, last.extra) == ("op-9", {"temp": 21.5})
    assert [r.machine_id for r in rows] == [north.machines["m1"].id] * 4 + [north.machines["m2"].id]


def test_hostile_messages_are_dropped_with_a_reason_and_the_rest_of_the_batch_applies(
    platform: Platform, world: World, north: Plant, ingest: Ingest, caplog: pytest.LogCaptureFixture
) -> None:
    south = build_plant(platform, world.maker_b.actor, world.enterprise_b.id, "south", "x1")
    theirs = command(platform, south.machines["x1"], "secret")
    hostile = [
        raw("north", "m1", "birth", b"\x00not json"),
        raw("north", "m1", "birth", {"bdSeq": "7"}),
        raw("north", "m1", "birth", {"bdSeq": True}),
        raw("north", "m1", "telemetry", {"seq": 300}),
        raw("north", "m1", "state", {"state": "exploded"}),
        raw("north", "m1", "state", {"state": "down", "ts": 10**13}),  # year 2286
        raw("north", "m1", "job/op1/done", {"attempt_id": ""}),
        raw("north", "ghost", "birth", {"bdSeq": 0}),
        raw("north", "x1", "birth", {"bdSeq": 0}),  # south's machine named on north's topic
        raw("north", "m1", "job/secret/done", {"attempt_id": theirs}),  # another tenant's attempt
        raw("north", "m1", "cmd", {"attempt_id": "x"}),
        raw("north", "m1", "birth", b"[" * 140_000),  # over the 128 KiB limit
        ("c2m/v1/north/m1/job/op1/exploded", b"{}", 0.0),
        ("c2m/v1/north/+/birth", b"{}", 0.0),
        ("elsewhere", b"{}", 0.0),
    ]
    with caplog.at_level(logging.WARNING, logger="c2m.domains.factory.ingest"):
        stats = feed(platform, ingest, *hostile, raw("north", "m2", "birth", {"bdSeq": 0}))
    assert (stats.dropped, stats.applied) == (len(hostile), 1)
    assert machine_row(platform, north.machines["m2"]).state is MachineState.IDLE
    assert machine_row(platform, north.machines["m1"]).state is MachineState.OFFLINE
    assert machine_row(platform, south.machines["x1"]).state is MachineState.OFFLINE
    assert attempt(platform, theirs).status is AttemptStatus.COMMANDED
    assert "no machine 'ghost' in factory 'north'" in caplog.text
    assert set(stats.reasons) == {"malformed", "unknown machine", "forged job", "own command"}


def test_the_log_warns_of_drops_to_act_on_once_then_sums_them_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A demo printed 134 drop warnings in 19 minutes; an operator needs the first of a kind and
    then how many more, and nothing about the repeats a reconnecting machine makes."""
    now = [0.0]
    drops = DropLog(every_s=300, clock=lambda: now[0])
    with caplog.at_level(logging.DEBUG, logger="c2m.domains.factory.ingest"):
        for second in range(0, 600, 5):  # one of each kind every 5 s for 10 minutes
            now[0] = float(second)
            drops("late state", "c2m/v1/north/m1/state", "late state: idle is older")
            drops("own command", "c2m/v1/north/m1/cmd", "a command the platform sent")
            drops("malformed", "c2m/v1/north/m1/birth", "birth payload: bdSeq: not an integer")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2
    assert "more" not in warnings[0]
    assert warnings[1].endswith("(59 more malformed since the last report)")
    routine = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(routine) == 2 * 120


def test_commands_nobody_acknowledged_are_offered_again_until_the_machine_answers(
    platform: Platform, north: Plant, ingest: Ingest
) -> None:
    attempt_id = command(platform, north.machines["m2"])
    with platform.db.read() as session:
        again = service.unanswered(session, older_than_s=0)
    assert [(d.topic, d.command.attempt_id) for d in again] == [("c2m/v1/north/m2/cmd", attempt_id)]
    feed(platform, ingest, raw("north", "m2", "job/op1/accepted", {"attempt_id": attempt_id}))
    with platform.db.read() as session:
        assert service.unanswered(session, older_than_s=0) == []
