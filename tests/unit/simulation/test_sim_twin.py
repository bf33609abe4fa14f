"""The twin's contract: at-most-once attempts, breakdowns, deaths and rebirths, telemetry, scrap."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_support import check_invariants, job, jobs_of, machine, twin_of

from c2m.engines.simulation import (
    Ack,
    EventLog,
    FactorySpec,
    JobCommand,
    MachineState,
    SetupTimes,
    Twin,
    TwinError,
    make_environment,
)


def test_sim_job_lifecycle_and_topics() -> None:
    twin, log = twin_of(machine())
    assert twin.submit("m1", job("op1.a1")) is Ack.ACCEPTED
    twin.run(2000)
    kinds = [e.kind for e in log.events if e.kind != "telemetry"]
    assert kinds == [
        "birth",
        "state",
        "job/op1/accepted",
        "job/op1/started",
        "state",
        "state",
        "job/op1/progress",
        "job/op1/progress",
        "job/op1/progress",
        "job/op1/done",
        "state",
    ]
    states = [e.payload["state"] for e in log.events if e.kind == "state"]
    assert states == ["idle", "setup", "running", "idle"]
    done = jobs_of(log, "done")[0]
    assert done.topic == "c2m/v1/test/m1/job/op1/done"
    assert done.at == pytest.approx(1060.0)  # 60 s setup + 1000 s, no noise
    assert done.payload == {"attempt_id": "op1.a1", "duration_s": 1060.0, "outcome": "pass"}
    assert [e.payload["percent"] for e in jobs_of(log, "progress")] == [25, 50, 75]


def test_sim_sequence_dependent_setup() -> None:
    setup = SetupTimes(100.0, {("a", "b"): 30.0})
    twin, log = twin_of(machine(setup=setup))
    for attempt, family in (("x.1", "a"), ("y.1", "a"), ("z.1", "b"), ("w.1", "a")):
        twin.submit("m1", job(attempt, 10.0, family))
    twin.run(1000)
    assert [e.payload["setup_s"] for e in jobs_of(log, "started")] == [100.0, 0.0, 30.0, 100.0]


def test_sim_repeated_attempt_is_acknowledged_not_run_twice() -> None:
    twin, log = twin_of(machine())
    command = job("op1.a1")
    assert twin.submit("m1", command) is Ack.ACCEPTED
    twin.run(500)
    assert twin.submit("m1", command) is Ack.DUPLICATE
    twin.run(3000)
    assert twin.submit("m1", command) is Ack.DUPLICATE
    accepted = jobs_of(log, "accepted")
    assert [e.payload["duplicate"] for e in accepted] == [False, True, True]
    assert len(jobs_of(log, "started")) == len(jobs_of(log, "done")) == 1
    # a new attempt of the same operation is new work
    assert twin.submit("m1", job("op1.a2")) is Ack.ACCEPTED


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3000)), min_size=1, max_size=30))
def test_sim_at_most_once_under_any_resubmission(sends: list[tuple[int, int]]) -> None:
    twin, log = twin_of(machine(), machine("m2"))
    for attempt, at in sends:
        command = job(f"op{attempt}.a1", 200.0)  # an attempt belongs to one machine's topic
        twin.at(at, lambda c=command, m=("m1", "m2")[attempt % 2]: twin.submit(m, c))
    twin.run(20_000)
    started = [e.payload["attempt_id"] for e in jobs_of(log, "started")]
    assert sorted(started) == sorted({f"op{a}.a1" for a, _ in sends})
    check_invariants(log.events)


def test_sim_breakdown_fails_the_running_job() -> None:
    twin, log = twin_of(machine())
    twin.submit("m1", job("op1.a1"))
    twin.at(300, lambda: twin.break_down("m1", "spindle", repair_s=100))
    twin.run(3000)
    events = [(e.at, e.kind, e.payload.get("state"), e.payload.get("reason")) for e in log.events]
    assert (300, "state", "down", "spindle") in events
    failed = jobs_of(log, "failed")
    assert [(e.at, e.payload) for e in failed] == [
        (300, {"attempt_id": "op1.a1", "reason": "spindle"})
    ]
    assert jobs_of(log, "done") == []
    back = [e for e in log.events if e.kind == "state" and e.at == 400]
    assert [e.payload["state"] for e in back] == ["idle"]
    check_invariants(log.events)


def test_sim_breakdown_holds_the_job_when_configured() -> None:
    twin, log = twin_of(machine(on_breakdown="hold"))
    twin.submit("m1", job("op1.a1"))
    twin.at(300, lambda: twin.break_down("m1", repair_s=100))
    twin.run(3000)
    held = [e.payload for e in jobs_of(log, "progress") if e.at == 300]
    assert held == [{"attempt_id": "op1.a1", "percent": 0, "held": True, "reason": "breakdown"}]
    (done,) = jobs_of(log, "done")
    assert done.at == pytest.approx(1160.0)  # the 100 s repair is added, nothing is redone
    states = [e.payload["state"] for e in log.events if e.kind == "state"]
    assert states == ["idle", "setup", "running", "down", "running", "idle"]
    check_invariants(log.events)


def test_sim_random_breakdowns_draw_from_mtbf() -> None:
    twin, log = twin_of(machine(mtbf_s=1000.0, mttr_s=100.0), seed=5)
    twin.run(200_000)
    downs = [e for e in log.events if e.kind == "state" and e.payload["state"] == "down"]
    # about 200 failures (exponential), each followed by a repair back to idle
    assert 150 < len(downs) < 250
    check_invariants(log.events)


def test_sim_death_loses_the_attempt_and_rebirth_lists_it() -> None:
    twin, log = twin_of(machine())
    twin.submit("m1", job("op1.a1"))
    twin.submit("m1", job("op2.a1"))
    twin.at(500, lambda: twin.kill("m1"))
    twin.run(1000)
    assert twin.state("m1") is MachineState.OFFLINE
    assert twin.submit("m1", job("op3.a1")) is Ack.OFFLINE
    twin.revive("m1")
    twin.run(5000)
    births = [e.payload for e in log.events if e.kind == "birth"]
    assert births[1]["bdSeq"] == 1
    assert births[1]["aborted"] == ["op1.a1", "op2.a1"]
    assert [e.payload for e in log.events if e.kind == "death"] == [{"bdSeq": 0}]
    assert jobs_of(log, "done") == []
    assert jobs_of(log, "failed") == []
    # the lost attempt id stays spent: the platform must re-plan under a new attempt id
    assert twin.submit("m1", job("op1.a1")) is Ack.DUPLICATE
    check_invariants(log.events)


def test_sim_bdseq_increments_per_rebirth() -> None:
    twin, log = twin_of(machine())
    for n in range(1, 6):
        twin.at(n * 100, lambda: twin.kill("m1"))
        twin.at(n * 100 + 50, lambda: twin.revive("m1"))
    twin.run(1000)
    births = [e.payload["bdSeq"] for e in log.events if e.kind == "birth"]
    deaths = [e.payload["bdSeq"] for e in log.events if e.kind == "death"]
    assert births == [0, 1, 2, 3, 4, 5]
    assert deaths == [0, 1, 2, 3, 4]  # a death carries its session's bdSeq
    assert not twin.revive("m1")  # already alive


def test_sim_telemetry_seq_wraps_at_255() -> None:
    twin, log = twin_of(machine(telemetry_period_s=10.0))
    twin.run(600 * 10 + 1)
    seqs = [e.payload["seq"] for e in log.events if e.kind == "telemetry"]
    assert len(seqs) == 600
    assert seqs == [n % 256 for n in range(600)]
    assert max(seqs) == 255


def test_sim_telemetry_seq_restarts_with_a_new_session() -> None:
    twin, log = twin_of(machine(telemetry_period_s=10.0))
    twin.at(35, lambda: twin.kill("m1"))
    twin.at(62, lambda: twin.revive("m1"))
    twin.run(101)
    seqs = [(e.at, e.payload["seq"]) for e in log.events if e.kind == "telemetry"]
    assert seqs == [(10, 0), (20, 1), (30, 2), (70, 0), (80, 1), (90, 2), (100, 3)]


@pytest.mark.parametrize("rate", [0.02, 0.1, 0.3])
def test_sim_scrap_rate_converges(rate: float) -> None:
    parts = 4000
    twin, log = twin_of(
        machine("qc", capabilities=("inspect",), scrap_rate=rate, setup=SetupTimes())
    )
    for n in range(parts):
        twin.submit("qc", job(f"p{n}.a1", 1.0))
    twin.run(parts * 2)
    outcomes = [e.payload["outcome"] for e in jobs_of(log, "done")]
    assert len(outcomes) == parts
    observed = outcomes.count("scrap") / parts
    bound = 4.5 * (rate * (1 - rate) / parts) ** 0.5  # 4.5 sigma
    assert abs(observed - rate) < bound


def test_sim_only_inspection_machines_scrap() -> None:
    with pytest.raises(TwinError, match="only inspection"):
        machine(scrap_rate=0.1)


def test_sim_capability_mismatch_is_rejected_with_failed() -> None:
    twin, log = twin_of(machine())
    command = JobCommand("op1", "op1.a1", 10.0, "a", capability="sew")
    assert twin.submit("m1", command) is Ack.REJECTED
    twin.run(100)
    assert [e.payload["reason"] for e in jobs_of(log, "failed")] == ["machine cannot sew"]
    assert jobs_of(log, "started") == []


def test_sim_maintenance_waits_for_the_running_job() -> None:
    twin, log = twin_of(machine())
    twin.submit("m1", job("op1.a1"))
    twin.at(10, lambda: twin.maintain("m1", 500))
    twin.run(3000)
    states = [(e.at, e.payload["state"]) for e in log.events if e.kind == "state"]
    assert states == [
        (0, "idle"),
        (0, "setup"),
        (60, "running"),
        (1060, "maintenance"),
        (1560, "idle"),
    ]


def test_sim_stop_from_inside_own_event_is_refused() -> None:
    twin, _log = twin_of(machine())

    def kill_on_start(event: object) -> None:
        if getattr(event, "phase", "") == "started":
            twin.kill("m1")

    twin.subscribe(kill_on_start)
    twin.submit("m1", job("op1.a1"))
    with pytest.raises(RuntimeError, match=r"Twin\.at"):
        twin.run(100)


def test_sim_realtime_pacing_follows_speed() -> None:
    twin = Twin(FactorySpec("rt", (machine(),)), env=make_environment(speed=600))
    ticks: list[float] = []
    twin.start()
    begin = time.monotonic()
    twin.run(120, between=lambda: ticks.append(twin.now))
    elapsed = time.monotonic() - begin
    assert 0.15 <= elapsed < 1.5  # 120 simulated seconds at 600x is 0.2 s of wall clock
    assert ticks == [0, 60]  # one slice is 0.1 s of wall clock, 60 simulated seconds


def test_sim_unknown_machine_is_a_twin_error() -> None:
    twin, _log = twin_of(machine())
    with pytest.raises(TwinError, match="no machine 'nope'"):
        twin.submit("nope", job("op1.a1"))


def test_sim_event_log_helpers() -> None:
    _twin, log = twin_of(machine(), machine("m2"))
    assert isinstance(log, EventLog)
    assert {e.machine_id for e in log.of("m2")} == {"m2"}
    birth = log.events[0]
    assert birth.operation is None
    assert birth.phase == "birth"
