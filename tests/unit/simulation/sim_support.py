"""Small factories and the invariants every twin event log must satisfy."""

from __future__ import annotations

from collections import defaultdict

from c2m.engines.simulation import (
    EventLog,
    FactorySpec,
    JobCommand,
    MachineSpec,
    SetupTimes,
    Twin,
    TwinEvent,
)

_RANK = {"accepted": 0, "started": 1, "progress": 2, "done": 3, "failed": 3}


def machine(machine_id: str = "m1", **overrides: object) -> MachineSpec:
    """A quiet machine (no noise, no breakdowns, 60 s setup) unless told otherwise."""
    fields: dict[str, object] = {
        "capabilities": ("sheet-cut",),
        "setup": SetupTimes(60.0),
        "noise_sigma": 0.0,
        **overrides,
    }
    return MachineSpec(machine_id, **fields)


def twin_of(*machines: MachineSpec, seed: int = 0) -> tuple[Twin, EventLog]:
    twin = Twin(FactorySpec("test", machines), seed=seed)
    log = EventLog()
    twin.subscribe(log)
    twin.start()
    return twin, log


def job(attempt: str, nominal_s: float = 1000.0, family: str = "a", op: str = "") -> JobCommand:
    return JobCommand(op or attempt.split(".")[0], attempt, nominal_s, family)


def jobs_of(log: EventLog, phase: str) -> list[TwinEvent]:
    return [e for e in log.events if e.kind.startswith("job/") and e.phase == phase]


def check_invariants(events: list[TwinEvent]) -> None:
    """One job at a time per machine, lifecycle order per attempt, silence while offline."""
    running: dict[str, str | None] = defaultdict(lambda: None)
    alive: dict[str, bool] = defaultdict(bool)
    last: dict[str, int] = {}
    finished: set[str] = set()
    lost: set[str] = set()
    times: list[float] = [e.at for e in events]
    assert times == sorted(times), "events go back in time"
    for event in events:
        m = event.machine_id
        if event.kind == "birth":
            assert not alive[m], f"{m} born twice"
            alive[m] = True
            continue
        assert alive[m], f"{m} says {event.kind} while offline"
        if event.kind == "death":
            alive[m] = False
            if running[m] is not None:
                lost.add(str(running[m]))
            running[m] = None
            continue
        if not event.kind.startswith("job/"):
            continue
        attempt = str(event.payload["attempt_id"])
        phase = event.phase
        if phase == "accepted" and event.payload["duplicate"]:
            continue
        assert attempt not in finished | lost, f"{attempt} {phase} after its end"
        rank = _RANK[phase]
        previous = last.get(attempt, -1)
        assert rank > previous or rank == previous == _RANK["progress"], (
            f"{attempt}: {phase} after rank {previous}"
        )
        if previous == -1:
            assert phase in ("accepted", "failed"), f"{attempt} starts with {phase}"
        last[attempt] = rank
        if phase == "started":
            assert running[m] is None, f"{m} starts {attempt} while running {running[m]}"
            running[m] = attempt
        elif phase in ("done", "failed"):
            finished.add(attempt)
            if running[m] == attempt:
                running[m] = None
        elif phase == "progress":
            assert running[m] == attempt, f"{attempt} progresses while not running on {m}"
