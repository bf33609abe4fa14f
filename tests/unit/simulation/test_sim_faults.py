"""Random fault scripts: whatever happens, one job at a time per machine and lifecycles in order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_support import check_invariants, job, machine, twin_of

from c2m.engines.simulation import SetupTimes, Twin

MACHINES = ("fail", "hold")
actions = st.tuples(
    st.integers(0, 5000),
    st.sampled_from(("submit", "submit", "submit", "break", "kill", "revive", "maintain")),
    st.sampled_from(MACHINES),
    st.integers(0, 12),
)


def _act(twin: Twin, action: str, machine_id: str, n: int) -> None:
    if action == "submit":
        twin.submit(machine_id, job(f"op{n}.{machine_id}", 100.0 + 50 * n, "ab"[n % 2]))
    elif action == "break":
        twin.break_down(machine_id, repair_s=30.0 * (n + 1))
    elif action == "kill":
        twin.kill(machine_id)
    elif action == "revive":
        twin.revive(machine_id)
    else:
        twin.maintain(machine_id, 20.0 * n)


@settings(max_examples=80, deadline=None)
@given(st.lists(actions, max_size=40), st.integers(0, 3))
def test_sim_invariants_hold_under_any_fault_script(
    script: list[tuple[int, str, str, int]], seed: int
) -> None:
    twin, log = twin_of(
        machine("fail", noise_sigma=0.2, setup=SetupTimes(40.0, {("a", "b"): 10.0})),
        machine("hold", on_breakdown="hold", mtbf_s=2000.0, mttr_s=100.0),
        seed=seed,
    )
    for at, action, machine_id, n in script:
        twin.at(at, lambda a=action, m=machine_id, k=n: _act(twin, a, m, k))
    twin.run(200_000)
    check_invariants(log.events)
    # every accepted attempt ends exactly once unless its machine died with it
    ends: dict[str, int] = {}
    for event in log.events:
        if event.phase in ("done", "failed"):
            attempt = str(event.payload["attempt_id"])
            ends[attempt] = ends.get(attempt, 0) + 1
    assert all(count == 1 for count in ends.values())
    lost = {a for e in log.events if e.kind == "birth" for a in e.payload["aborted"] or []}
    accepted = {
        str(e.payload["attempt_id"])
        for e in log.events
        if e.phase == "accepted" and not e.payload["duplicate"]
    }
    alive_lost = set(accepted - set(ends) - lost)
    # what is neither ended nor reported lost is still in the hands of a dead machine
    assert all(twin.state(a.split(".")[1]).value == "offline" for a in alive_lost)


def test_sim_invariant_checker_catches_overlap_and_disorder() -> None:
    twin, log = twin_of(machine())
    twin.submit("m1", job("op1.a1"))
    twin.submit("m1", job("op2.a1"))
    twin.run(5000)
    events = log.events
    check_invariants(events)
    second_start = [i for i, e in enumerate(events) if e.phase == "started"][1]
    first_done = next(i for i, e in enumerate(events) if e.phase == "done")
    with pytest.raises(AssertionError, match="while running"):
        check_invariants([*events[:first_done], events[second_start]])
    done_first = [e for e in events if e.phase == "done"] + [e for e in events if e.phase != "done"]
    with pytest.raises(AssertionError):
        check_invariants(done_first)
