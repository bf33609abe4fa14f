"""What machines said, applied to the database in batches: one transaction per batch.

Rules that make the bus safe to believe:

- a birth opens a session (``bdSeq``); a death counts only for the session it names, so a late
  will from an old connection never marks a live machine offline;
- a death puts every attempt the machine had in flight on hold and says which;
  the next birth's ``aborted`` list turns them into known aborts;
- an attempt only moves forward (accepted < started < done | failed | aborted): duplicates and
  messages arriving out of order change nothing;
- telemetry ``seq`` wraps at 256; a jump is recorded as a gap, a repeat is not stored twice.

Anything malformed, unknown or forged is dropped with a logged reason and counted.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory import events
from c2m.domains.factory.contract import (
    COMMAND,
    Birth,
    Death,
    JobReport,
    Report,
    StateChange,
    Telemetry,
    parse,
    parse_topic,
)
from c2m.domains.factory.directory import Directory, MachineRef
from c2m.domains.factory.models import (
    AttemptStatus,
    JobAttempt,
    Machine,
    MachineEvent,
    MachineEventKind,
    TelemetrySample,
)
from c2m.domains.factory.vocabulary import ContractError, MachineState
from c2m.kernel.db import insert_rows
from c2m.kernel.outbox import add_to_outbox

log = logging.getLogger(__name__)

Raw = tuple[str, bytes, float]
"""A message as it came off the bus: topic, payload, time received (epoch seconds)."""

IN_FLIGHT = (AttemptStatus.COMMANDED, AttemptStatus.ACCEPTED, AttemptStatus.STARTED)
_PHASE_STATUS = {
    "accepted": AttemptStatus.ACCEPTED,
    "started": AttemptStatus.STARTED,
    "progress": AttemptStatus.STARTED,
    "done": AttemptStatus.DONE,
    "failed": AttemptStatus.FAILED,
}
_TELEMETRY = TelemetrySample.metadata.tables[TelemetrySample.__tablename__]
"""The table itself: rows go to the driver as tuples, without the ORM's work per row."""
_SAMPLE_COLUMNS = (
    "machine_id",
    "at",
    "seq",
    "state",
    "power_kw",
    "parts",
    "operation_id",
    "extra",
)
"""The order of the values in a telemetry row."""
_LATE_SEQ = 128
"""A telemetry ``seq`` more than this far ahead is taken as a late message, not a gap."""


@dataclass
class IngestStats:
    received: int = 0
    telemetry: int = 0
    applied: int = 0
    dropped: int = 0
    gaps: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, other: IngestStats) -> None:
        self.received += other.received
        self.telemetry += other.telemetry
        self.applied += other.applied
        self.dropped += other.dropped
        self.gaps += other.gaps
        self.reasons.update(other.reasons)


OWN_COMMAND = "own command"
ROUTINE_DROPS = frozenset({"late state", "stale death", "repeated telemetry", OWN_COMMAND})
"""Drops a reconnecting machine causes by itself (it says something again, or late) and the
platform's own commands coming back from the bus: the ingest has already done the right thing
and nobody needs to act, so they are logged at debug level."""
SUMMARY_EVERY_S = 300.0
"""At most one warning per kind of drop in this many seconds; the next one counts the rest."""


class DropLog:
    """Says why messages are dropped. A drop someone must act on (a machine sending what the
    contract refuses, an unknown machine, a forged report) is a warning at once, then at most
    once every ``every_s`` per kind with how many more there were: a noisy machine cannot
    flood the terminal. Routine drops go to debug level."""

    def __init__(
        self, every_s: float = SUMMARY_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every_s = every_s
        self.clock = clock
        self._last: dict[str, float] = {}
        self._quiet: Counter[str] = Counter()

    def __call__(self, kind: str, topic: str, reason: str) -> None:
        if kind in ROUTINE_DROPS:
            log.debug("dropped a message on %r: %s", topic[:200], reason)
            return
        now = self.clock()
        if now - self._last.get(kind, -float("inf")) < self.every_s:
            self._quiet[kind] += 1
            return
        self._last[kind] = now
        suppressed, self._quiet[kind] = self._quiet[kind], 0
        more = f" ({suppressed} more {kind} since the last report)" if suppressed else ""
        log.warning("dropped a message on %r: %s%s", topic[:200], reason, more)


class Ingest:
    """Applies batches of raw messages; keep one per consumer (it caches the machine directory)."""

    def __init__(self, lease_s: float, directory: Directory | None = None) -> None:
        self.lease = timedelta(seconds=lease_s)
        self.directory = directory or Directory()
        self.drop_log = DropLog()

    def apply(self, session: Session, batch: Sequence[Raw]) -> IngestStats:
        stats = IngestStats(received=len(batch))
        # First which machine each message names (topics are parsed once and cached), then
        # each message is parsed and applied in one go: its parsed form dies young instead of
        # living through the batch, where it made the garbage collector's full passes the
        # largest cost of the ingest.
        named: list[Raw] = []
        refs: list[MachineRef] = []  # beside, not paired with, the messages: no object each
        for raw in batch:
            name = raw[0]
            try:
                where = parse_topic(name)
            except ContractError as exc:
                self._drop(stats, "malformed", name, str(exc))
                continue
            if where.kind == COMMAND:
                self._drop(stats, OWN_COMMAND, name, "a command the platform sent, not a report")
                continue
            ref = self.directory.find(session, where.factory, where.machine)
            if ref is None:
                try:
                    parse(*raw)  # a malformed message is called that, known machine or not
                except ContractError as exc:
                    self._drop(stats, "malformed", name, str(exc))
                    continue
                unknown = f"no machine {where.machine!r} in factory {where.factory!r}"
                self._drop(stats, "unknown machine", name, unknown)
                continue
            named.append(raw)
            refs.append(ref)
        if not named:
            return stats
        ids = {ref.id for ref in refs}
        machines = {m.id: m for m in session.scalars(select(Machine).where(Machine.id.in_(ids)))}
        samples: list[tuple[Any, ...]] = []
        # Each machine's telemetry seq as the batch goes, set on the machine only before one of
        # its events (a birth restarts it) and at the end: an ORM attribute set costs as much
        # as the rest of a sample.
        seqs: dict[Machine, int | None] = {}
        for raw, ref in zip(named, refs, strict=True):
            name = raw[0]
            try:
                report = parse(*raw)
            except ContractError as exc:
                self._drop(stats, "malformed", name, str(exc))
                continue
            machine = machines[ref.id]
            body = report.body
            if isinstance(body, Telemetry):
                self._telemetry(session, machine, body, report.at, samples, stats, seqs)
                continue
            if machine in seqs:
                machine.telemetry_seq = seqs.pop(machine)
            reason = self._event(session, machine, report)
            if reason is None:
                stats.applied += 1
            else:
                self._drop(stats, reason.split(":")[0], name, reason)
            if machine.last_seen_at is None or report.at > machine.last_seen_at:
                machine.last_seen_at = report.at
        for machine, seq in seqs.items():
            machine.telemetry_seq = seq
        if samples:
            insert_rows(session, _TELEMETRY, _SAMPLE_COLUMNS, samples)
            stats.telemetry += len(samples)
        session.flush()
        return stats

    def _event(self, session: Session, machine: Machine, report: Report) -> str | None:
        """Apply a birth, death, state or job report; the reason if it was refused."""
        body = report.body
        if isinstance(body, JobReport):
            return self._job(session, machine, report, body)
        if isinstance(body, Birth):
            return self._birth(session, machine, body, report.at)
        if isinstance(body, Death):
            return self._death(session, machine, body, report.at)
        assert isinstance(body, StateChange)
        return self._state(session, machine, body, report.at)

    def _drop(self, stats: IngestStats, kind: str, topic: str, reason: str) -> None:
        stats.dropped += 1
        stats.reasons[kind] += 1
        self.drop_log(kind, topic, reason)

    # -- sessions ------------------------------------------------------------------------------

    def _birth(self, session: Session, machine: Machine, body: Birth, at: datetime) -> str | None:
        repeat = machine.bd_seq == body.bdSeq and machine.state is not MachineState.OFFLINE
        aborted = self._abort(session, machine, body.aborted, at)
        if repeat:
            return None  # the same session announced again (a reconnect): nothing new
        machine.bd_seq = body.bdSeq
        machine.telemetry_seq = None  # seq restarts at 0 with each birth
        session.add(
            MachineEvent(
                machine_id=machine.id,
                at=at,
                kind=MachineEventKind.BIRTH,
                bd_seq=body.bdSeq,
                data={"capabilities": body.capabilities, "aborted": aborted},
            )
        )
        message = {"bd_seq": body.bdSeq, "aborted": aborted}
        add_to_outbox(session, events.MACHINE_BORN, self._about(machine, at, message))
        if machine.state is MachineState.OFFLINE:
            self._move(session, machine, MachineState.IDLE, "birth", None, at)
        return None

    def _abort(
        self, session: Session, machine: Machine, attempt_ids: list[str], at: datetime
    ) -> list[str]:
        """Attempts the machine says it lost: known aborted, free to be made elsewhere."""
        if not attempt_ids:
            return []
        aborted = []
        query = select(JobAttempt).where(
            JobAttempt.attempt_id.in_(attempt_ids),
            JobAttempt.machine_id == machine.id,
            JobAttempt.status.in_(IN_FLIGHT),
        )
        for attempt in session.scalars(query):
            attempt.status = AttemptStatus.ABORTED
            attempt.held = False
            attempt.reason = "lost with the machine's previous session"
            attempt.ended_at = attempt.updated_at = at
            aborted.append(attempt.attempt_id)
            add_to_outbox(session, events.job_topic("aborted"), self._job_message(attempt, at))
        return sorted(aborted)

    def _death(self, session: Session, machine: Machine, body: Death, at: datetime) -> str | None:
        if machine.bd_seq is not None and body.bdSeq != machine.bd_seq:
            session.add(
                MachineEvent(
                    machine_id=machine.id,
                    at=at,
                    kind=MachineEventKind.STALE_DEATH,
                    bd_seq=body.bdSeq,
                    reason=f"bdSeq {body.bdSeq} is not the live session {machine.bd_seq}",
                )
            )
            return f"stale death: bdSeq {body.bdSeq}, live session {machine.bd_seq}"
        if machine.state is MachineState.OFFLINE:
            return None  # already dead: a repeated will
        query = select(JobAttempt).where(
            JobAttempt.machine_id == machine.id, JobAttempt.status.in_(IN_FLIGHT)
        )
        in_flight = []
        for attempt in session.scalars(query.order_by(JobAttempt.attempt_id)):
            attempt.held = True
            attempt.updated_at = at
            in_flight.append(attempt.attempt_id)
        session.add(
            MachineEvent(
                machine_id=machine.id,
                at=at,
                kind=MachineEventKind.DEATH,
                bd_seq=body.bdSeq,
                data={"in_flight": in_flight},
            )
        )
        message = {"bd_seq": body.bdSeq, "in_flight": in_flight}
        add_to_outbox(session, events.MACHINE_DIED, self._about(machine, at, message))
        self._move(session, machine, MachineState.OFFLINE, "death", None, at)
        return None

    # -- state and telemetry -------------------------------------------------------------------

    def _state(
        self, session: Session, machine: Machine, body: StateChange, at: datetime
    ) -> str | None:
        if body.state is machine.state:
            return None  # said again, or the birth said it already
        late = at < machine.state_since or (
            at == machine.state_since
            and body.previous is not None
            and body.previous is not machine.state
        )
        if late:  # said again after a reconnection, or overtaken
            return f"late state: {body.state} at {at.isoformat()} is older than the current one"
        self._move(session, machine, body.state, body.reason, body.operation, at)
        return None

    def _move(
        self,
        session: Session,
        machine: Machine,
        state: MachineState,
        reason: str | None,
        operation: str | None,
        at: datetime,
    ) -> None:
        previous = machine.state
        machine.state, machine.state_reason, machine.state_since = state, reason, at
        session.add(
            MachineEvent(
                machine_id=machine.id,
                at=at,
                kind=MachineEventKind.STATE,
                state=state,
                previous=previous,
                reason=reason,
                operation_id=operation,
            )
        )
        message = {
            "state": state.value,
            "previous": previous.value,
            "reason": reason,
            "operation_id": operation,
        }
        add_to_outbox(session, events.MACHINE_STATE, self._about(machine, at, message))

    def _telemetry(
        self,
        session: Session,
        machine: Machine,
        body: Telemetry,
        at: datetime,
        samples: list[tuple[Any, ...]],
        stats: IngestStats,
        seqs: dict[Machine, int | None],
    ) -> None:
        last = seqs.get(machine, machine.telemetry_seq)
        if last is not None:
            ahead = (body.seq - last) % 256
            if ahead == 0:
                self._drop(stats, "repeated telemetry", machine.code, f"seq {body.seq} again")
                return
            if 1 < ahead <= _LATE_SEQ:
                expected = (last + 1) % 256
                self._gap(session, machine, expected, body.seq, ahead - 1, at)
                stats.gaps += 1
        if last is None or 0 < (body.seq - last) % 256 <= _LATE_SEQ:
            seqs[machine] = body.seq
        state = None if body.state is None else body.state.value
        values = body.values
        samples.append(
            (machine.id, at, body.seq, state, body.power_kw, body.parts, body.operation, values)
        )

    def _gap(
        self,
        session: Session,
        machine: Machine,
        expected: int,
        got: int,
        missing: int,
        at: datetime,
    ) -> None:
        data = {"expected": expected, "got": got, "missing": missing}
        session.add(
            MachineEvent(
                machine_id=machine.id,
                at=at,
                kind=MachineEventKind.TELEMETRY_GAP,
                reason=f"{missing} telemetry message(s) missing",
                data=data,
            )
        )
        add_to_outbox(session, events.TELEMETRY_GAP, self._about(machine, at, data))

    # -- jobs ----------------------------------------------------------------------------------

    def _job(
        self, session: Session, machine: Machine, report: Report, body: JobReport
    ) -> str | None:
        phase, operation = report.topic.phase, report.topic.operation
        assert phase is not None
        assert operation is not None
        at = report.at
        attempt = session.get(JobAttempt, body.attempt_id)
        if attempt is None:  # a job the machine took on without the platform: recorded as told
            attempt = JobAttempt(
                attempt_id=body.attempt_id,
                machine_id=machine.id,
                operation_id=operation,
                status=AttemptStatus.COMMANDED,
                percent=0,
                held=False,
                updated_at=at,
            )
            session.add(attempt)
        elif attempt.machine_id != machine.id or attempt.operation_id != operation:
            return (
                f"forged job: attempt {body.attempt_id!r} is not for {operation!r} "
                f"on machine {machine.code!r}"
            )
        if attempt.status.terminal:
            return None  # a repeat or a late message: the outcome is settled
        status = _PHASE_STATUS[phase]
        advanced = status.rank > attempt.status.rank
        if advanced:
            attempt.status = status
        more = body.percent is not None and body.percent > attempt.percent
        if more:
            attempt.percent = body.percent or 0
        if not (advanced or more):
            return None
        attempt.held = False  # it spoke: alive
        attempt.updated_at = at
        attempt.lease_expires_at = at + self.lease
        if status is AttemptStatus.ACCEPTED:
            attempt.accepted_at, attempt.bd_seq = at, machine.bd_seq
        elif status is AttemptStatus.STARTED and attempt.started_at is None:
            attempt.started_at = at
        elif status.terminal:
            attempt.ended_at, attempt.outcome, attempt.reason = at, body.outcome, body.reason
            if status is AttemptStatus.DONE:
                attempt.percent = 100
                if body.measurements is not None:
                    attempt.measurements = [m.model_dump() for m in body.measurements]
                if body.consumed is not None:
                    attempt.consumed = [c.model_dump() for c in body.consumed]
        add_to_outbox(session, events.job_topic(phase), self._job_message(attempt, at))
        return None

    @staticmethod
    def _job_message(attempt: JobAttempt, at: datetime) -> dict[str, Any]:
        return {
            "attempt_id": attempt.attempt_id,
            "operation_id": attempt.operation_id,
            "machine_id": attempt.machine_id,
            "status": attempt.status.value,
            "percent": attempt.percent,
            "outcome": attempt.outcome,
            "reason": attempt.reason,
            "at": at.isoformat(),
        }

    @staticmethod
    def _about(machine: Machine, at: datetime, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "factory_id": machine.factory_id,
            "machine_id": machine.id,
            "machine": machine.code,
            "at": at.isoformat(),
            **message,
        }
