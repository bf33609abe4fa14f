"""One simulated machine: a SimPy worker process, a failure process and a telemetry process.

Control calls (submit, kill, revive, break down, maintain) change state and emit their events at
once; the worker is then interrupted (as in SimPy's machine-shop example) only to move it to the
right waiting point. Each machine draws from its own seeded streams, so what happens on one
machine never shifts the random numbers of another.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import simpy

from c2m.domains.factory.vocabulary import MachineState
from c2m.engines.quality import Tolerance, decimals
from c2m.engines.simulation.events import Measured, Payload
from c2m.engines.simulation.model import Ack, JobCommand, MachineSpec

Emit = Callable[[str, str, Payload], None]
"""(machine id, kind, payload): how a machine hands an event to its twin."""

# Share of rated power drawn in each state, for telemetry.
_LOAD = {
    MachineState.IDLE: 0.15,
    MachineState.SETUP: 0.4,
    MachineState.RUNNING: 1.0,
    MachineState.DOWN: 0.05,
    MachineState.MAINTENANCE: 0.1,
}
_WORKING = (MachineState.IDLE, MachineState.SETUP, MachineState.RUNNING)
GAUGE_SIGMA = 0.25
"""Measurement spread around the nominal value, as a share of the tolerance: a good piece is
within tolerance but for one in about 16,000 per dimension (4 sigma)."""
OFF_BY = (1.2, 2.5)
"""How far a bad piece's dimension is off, in tolerances."""


def _stream(seed: int, machine_id: str, purpose: str) -> random.Random:
    """A reproducible random stream per machine and purpose (string seeds hash stably)."""
    return random.Random(f"{seed}:{machine_id}:{purpose}")  # noqa: S311 (simulation, not secrecy)


def _gauge(dimension: Tolerance, value: float) -> float:
    """A reading at the gauge's resolution: the tolerance's decimals, at least one."""
    return round(value, max(1, decimals(dimension.tolerance)))


def _until(stop: simpy.Interrupt) -> simpy.Event:
    """Every stop is sent with the event that ends it (repair done, rebirth)."""
    cause = stop.cause
    assert isinstance(cause, simpy.Event)
    return cause


class SimMachine:
    def __init__(
        self,
        spec: MachineSpec,
        env: simpy.Environment,
        emit: Emit,
        seed: int,
        progress_marks: tuple[int, ...],
    ) -> None:
        self.spec = spec
        self.env = env
        self._emit = emit
        self._marks = progress_marks
        self._work_rng = _stream(seed, spec.id, "work")
        self._fail_rng = _stream(seed, spec.id, "fail")
        self._telemetry_rng = _stream(seed, spec.id, "telemetry")
        self._gauge_rng = _stream(seed, spec.id, "gauge")
        self._scrap_rng = _stream(seed, spec.id, "offcuts")
        self._noise_mu = -(spec.noise_sigma**2) / 2  # lognormal factor of mean 1
        self.state = MachineState.OFFLINE
        self.bd_seq = -1
        self.parts = 0
        self._telemetry_seq = 0
        self._queue: deque[JobCommand] = deque()
        self._seen: set[str] = set()
        self._current: JobCommand | None = None
        self._percent = 0
        self._family: str | None = None
        self._aborted: list[str] = []
        self._maintenance_due: float | None = None
        self._wake: simpy.Event | None = None
        self._alive = env.event()
        self._process = env.process(self._work())
        env.process(self._telemetry())
        if spec.mtbf_s is not None:
            env.process(self._failures(spec.mtbf_s))

    # -- control: called by the twin -------------------------------------------------------

    def submit(self, command: JobCommand) -> Ack:
        """Queue an attempt; a known attempt id is acknowledged again but never queued."""
        if self.state is MachineState.OFFLINE:
            return Ack.OFFLINE  # a dead machine hears nothing; the platform's lease expires
        operation, attempt = command.operation_id, command.attempt_id
        if attempt in self._seen:
            self._job(operation, "accepted", {"attempt_id": attempt, "duplicate": True})
            return Ack.DUPLICATE
        self._seen.add(attempt)
        if command.capability is not None and command.capability not in self.spec.capabilities:
            reason = f"machine cannot {command.capability}"
            self._job(operation, "failed", {"attempt_id": attempt, "reason": reason})
            return Ack.REJECTED
        self._queue.append(command)
        self._job(
            operation,
            "accepted",
            {"attempt_id": attempt, "duplicate": False, "queued": len(self._queue)},
        )
        self._poke()
        return Ack.ACCEPTED

    def revive(self) -> bool:
        """Birth of a new session (bdSeq + 1); lists the attempts lost with the previous one."""
        if self.state is not MachineState.OFFLINE:
            return False
        self.bd_seq += 1
        self._telemetry_seq = 0
        self._emit(
            self.spec.id,
            "birth",
            {
                "bdSeq": self.bd_seq,
                "capabilities": list(self.spec.capabilities),
                "speed": self.spec.speed,
                "aborted": self._aborted,
            },
        )
        self._aborted = []
        self._set_state(MachineState.IDLE)
        self._alive.succeed()
        return True

    def kill(self) -> bool:
        """Death (the MQTT will): the running attempt and the queue are lost without a word."""
        if self.state is MachineState.OFFLINE:
            return False
        lost = [self._current] if self._current else []
        self._aborted = [c.attempt_id for c in (*lost, *self._queue)]
        self._current = None
        self._queue.clear()
        self._maintenance_due = None
        self.state = MachineState.OFFLINE
        self._emit(self.spec.id, "death", {"bdSeq": self.bd_seq})
        self._alive = self.env.event()
        self._interrupt(self._alive)
        return True

    def break_down(self, reason: str = "breakdown", repair_s: float | None = None) -> bool:
        """Go down for ``repair_s`` (default: a draw around MTTR); the job fails or is held."""
        if self.state not in _WORKING:
            return False
        if repair_s is None:
            repair_s = self._fail_rng.expovariate(1 / self.spec.mttr_s)
        self._set_state(MachineState.DOWN, reason)
        job = self._current
        if job is not None:
            if self.spec.on_breakdown == "fail":
                self._current = None
                self._job(
                    job.operation_id, "failed", {"attempt_id": job.attempt_id, "reason": reason}
                )
            else:
                self._progress(job, held=True, reason=reason)
        self._interrupt(self.env.timeout(repair_s))
        return True

    def maintain(self, duration_s: float) -> bool:
        """Planned maintenance: starts as soon as the current job (if any) is done."""
        if self.state is MachineState.OFFLINE:
            return False
        self._maintenance_due = duration_s
        self._poke()
        return True

    # -- processes ----------------------------------------------------------------------------

    def _work(self) -> Generator[Any, Any, None]:
        yield from self._wait_out(self._alive)
        while True:
            if self._maintenance_due is not None:
                duration, self._maintenance_due = self._maintenance_due, None
                self._set_state(MachineState.MAINTENANCE, "planned")
                yield from self._wait_out(self.env.timeout(duration))
            elif self._queue:
                yield from self._execute(self._queue.popleft())
            else:
                self._set_state(MachineState.IDLE)
                if self._queue or self._maintenance_due is not None:
                    continue  # a listener reacted to "idle" by sending work
                self._wake = self.env.event()
                yield from self._wait_out(self._wake)
                self._wake = None

    def _execute(self, job: JobCommand) -> Generator[Any, Any, None]:
        self._current = job
        self._percent = 0
        setup_s = self.spec.setup.between(self._family, job.family)
        factor = (
            self._work_rng.lognormvariate(self._noise_mu, self.spec.noise_sigma)
            if self.spec.noise_sigma
            else 1.0
        )
        process_s = job.nominal_s / self.spec.speed * factor
        started = self.env.now
        self._job(
            job.operation_id,
            "started",
            {
                "attempt_id": job.attempt_id,
                "setup_s": round(setup_s, 3),
                "expected_s": round(setup_s + process_s, 3),
            },
        )
        if setup_s > 0:
            self._set_state(MachineState.SETUP)
            if not (yield from self._spend(setup_s, MachineState.SETUP)):
                return
        self._family = job.family
        self._set_state(MachineState.RUNNING)
        done = 0
        for mark in (*self._marks, 100):
            if not (yield from self._spend(process_s * (mark - done) / 100, MachineState.RUNNING)):
                return
            done = mark
            if mark < 100:
                self._percent = mark
                self._progress(job, held=False)
        self._current = None
        self.parts += 1
        report: Payload = {
            "attempt_id": job.attempt_id,
            "duration_s": round(self.env.now - started, 3),
        }
        if job.materials:
            report["consumed"] = self._consumed(job)
        if self.spec.inspects and job.inspection:
            report["measurements"] = self._measure(job)  # the platform judges them
        elif self.spec.inspects and self._work_rng.random() < self.spec.scrap_rate:
            report["outcome"] = "scrap"
        else:
            report["outcome"] = "pass"
        self._job(job.operation_id, "done", report)

    def _consumed(self, job: JobCommand) -> list[dict[str, str | int | float]]:
        """What the job used of each material it was given: the bill's quantity and up to
        5 % more in offcuts and spills."""
        return [
            {"material": key, "quantity": round(quantity * self._scrap_rng.uniform(1, 1.05), 3)}
            for key, quantity in job.materials
        ]

    def _measure(self, job: JobCommand) -> list[Measured]:
        """Every piece's dimensions, as a gauge reads them; a piece that is bad (one in
        ``1 / scrap_rate``) has one dimension well out of tolerance."""
        rng = self._gauge_rng
        out: list[Measured] = []
        for piece in range(1, job.quantity + 1):
            bad = rng.choice(job.inspection) if rng.random() < self.spec.scrap_rate else None
            for dimension in job.inspection:
                if dimension is bad:
                    off = rng.uniform(*OFF_BY) * rng.choice((-1, 1))
                else:
                    off = rng.gauss(0, GAUGE_SIGMA)
                value = _gauge(dimension, dimension.nominal + off * dimension.tolerance)
                out.append(
                    {"name": dimension.name, "value": value, "unit": dimension.unit, "piece": piece}
                )
        return out

    def _spend(self, duration: float, phase: MachineState) -> Generator[Any, Any, bool]:
        """Work for ``duration``; True if the job survived any stop on the way."""
        end = self.env.now + duration
        while True:
            try:
                yield self.env.timeout(end - self.env.now)
                return True
            except simpy.Interrupt as stop:
                remaining = end - self.env.now
                yield from self._wait_out(_until(stop))
                job = self._current
                if job is None:  # failed at the breakdown, or lost with a death
                    return False
                end = self.env.now + remaining
                self._set_state(phase)
                self._progress(job, held=False)

    def _wait_out(self, event: simpy.Event) -> Generator[Any, Any, None]:
        """Wait for ``event``, following any stop that arrives meanwhile (death while down)."""
        while True:
            try:
                yield event
                return
            except simpy.Interrupt as stop:
                event = _until(stop)

    def _failures(self, mtbf_s: float) -> Generator[Any, Any, None]:
        while True:
            yield self.env.timeout(self._fail_rng.expovariate(1 / mtbf_s))
            repair_s = self._fail_rng.expovariate(1 / self.spec.mttr_s)
            if self.break_down("breakdown", repair_s):
                yield self.env.timeout(repair_s)

    def _telemetry(self) -> Generator[Any, Any, None]:
        period = self.spec.telemetry_period_s
        while True:
            yield self.env.timeout(period)
            if self.state is MachineState.OFFLINE:
                continue
            jitter = 1 + self._telemetry_rng.uniform(-0.05, 0.05)
            self._emit(
                self.spec.id,
                "telemetry",
                {
                    "seq": self._telemetry_seq,
                    "state": self.state.value,
                    "power_kw": round(self.spec.rated_power_kw * _LOAD[self.state] * jitter, 3),
                    "parts": self.parts,
                    "operation": self._current.operation_id if self._current else None,
                },
            )
            self._telemetry_seq = (self._telemetry_seq + 1) % 256

    # -- helpers ------------------------------------------------------------------------------

    def _interrupt(self, until: simpy.Event) -> None:
        if self.env.active_process is self._process:
            raise RuntimeError(
                f"machine {self.spec.id!r} was told to stop from inside its own event; "
                "schedule the call with Twin.at(...) instead"
            )
        self._process.interrupt(until)

    def _poke(self) -> None:
        if self._wake is not None and not self._wake.triggered:
            self._wake.succeed()

    def _set_state(self, state: MachineState, reason: str | None = None) -> None:
        if state is self.state:
            return
        previous, self.state = self.state, state
        job = self._current
        self._emit(
            self.spec.id,
            "state",
            {
                "state": state.value,
                "previous": previous.value,
                "reason": reason,
                "operation": job.operation_id if job else None,
            },
        )

    def _progress(self, job: JobCommand, *, held: bool, reason: str | None = None) -> None:
        payload: Payload = {"attempt_id": job.attempt_id, "percent": self._percent, "held": held}
        if reason is not None:
            payload["reason"] = reason
        self._job(job.operation_id, "progress", payload)

    def _job(self, operation: str, phase: str, payload: Payload) -> None:
        self._emit(self.spec.id, f"job/{operation}/{phase}", payload)
