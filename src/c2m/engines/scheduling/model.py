"""The scheduling vocabulary: a flexible job shop as plain, validated dataclasses.

Everything is indexed by position (job, operation and machine ids are tuple indices) so the
solvers can work on arrays; names are kept for people and file formats.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property


class InstanceError(ValueError):
    """The instance contradicts itself (bad index, cycle, frozen work that cannot be)."""


@dataclass(frozen=True, slots=True)
class Mode:
    """One way to run an operation: on ``machine`` it takes ``duration``."""

    machine: int
    duration: int


@dataclass(frozen=True, slots=True)
class Operation:
    """A step of a job; ``family`` (product family or material) drives setup times; nothing
    starts it before ``release`` (when its own material can be there) nor its job's release."""

    job: int
    modes: tuple[Mode, ...]
    predecessors: tuple[int, ...] = ()
    family: str = ""
    name: str = ""
    release: int = 0

    @property
    def min_duration(self) -> int:
        return min(mode.duration for mode in self.modes)

    def duration_on(self, machine: int) -> int | None:
        """Duration on ``machine``, or None when the machine cannot run this operation."""
        return next((m.duration for m in self.modes if m.machine == machine), None)


@dataclass(frozen=True, slots=True)
class Job:
    """A work order: nothing starts before ``release``; lateness past ``due`` costs ``weight``."""

    name: str = ""
    release: int = 0
    due: int | None = None
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Window:
    """The machine is unavailable during [start, end): maintenance or a breakdown."""

    machine: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """Operation ``op`` runs on ``machine`` during [start, end)."""

    op: int
    machine: int
    start: int
    end: int


@dataclass(frozen=True)
class Schedule:
    """One assignment per operation, in operation order."""

    assignments: tuple[Assignment, ...]

    def __getitem__(self, op: int) -> Assignment:
        return self.assignments[op]

    @property
    def makespan(self) -> int:
        return max((a.end for a in self.assignments), default=0)

    def machine_sequences(self, machines: int) -> list[list[int]]:
        """Operations per machine in start order (ties by end, so zero gaps stay ordered)."""
        sequences: list[list[int]] = [[] for _ in range(machines)]
        for a in sorted(self.assignments, key=lambda a: (a.start, a.end, a.op)):
            sequences[a.machine].append(a.op)
        return sequences


@dataclass(frozen=True)
class Instance:
    """A flexible job shop with setups, releases, due dates, unavailability and frozen work.

    ``frozen`` holds operations that already started (running or finished): they keep exactly
    their assignment, and their ``end`` may differ from the nominal duration (an overrun).
    No other operation may start before ``now``.
    """

    machines: tuple[str, ...]
    jobs: tuple[Job, ...]
    operations: tuple[Operation, ...]
    setups: Mapping[tuple[str, str], int] = field(default_factory=dict)
    windows: tuple[Window, ...] = ()
    frozen: tuple[Assignment, ...] = ()
    now: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        self._validate()
        _ = self.topological_order  # raises on cycles

    def _validate(self) -> None:
        n_machines, n_jobs, n_ops = len(self.machines), len(self.jobs), len(self.operations)
        if n_machines == 0:
            raise InstanceError("the instance has no machines")
        for i, op in enumerate(self.operations):
            label = f"operation {i}"
            if not 0 <= op.job < n_jobs:
                raise InstanceError(f"{label} belongs to unknown job {op.job}")
            if not op.modes:
                raise InstanceError(f"{label} has no eligible machine")
            seen = set()
            for mode in op.modes:
                if not 0 <= mode.machine < n_machines:
                    raise InstanceError(f"{label} names unknown machine {mode.machine}")
                if mode.duration < 1:
                    raise InstanceError(f"{label} has a non-positive duration {mode.duration}")
                if mode.machine in seen:
                    raise InstanceError(f"{label} lists machine {mode.machine} twice")
                seen.add(mode.machine)
            for p in op.predecessors:
                if not 0 <= p < n_ops or p == i:
                    raise InstanceError(f"{label} has an invalid predecessor {p}")
            if op.release < 0:
                raise InstanceError(f"{label} has a negative release time")
        for job_id, job in enumerate(self.jobs):
            if job.release < 0 or job.weight < 0:
                raise InstanceError(f"job {job_id} has a negative release time or weight")
        for (a, b), value in self.setups.items():
            if value < 0:
                raise InstanceError(f"setup time {a!r} -> {b!r} is negative")
        for w in self.windows:
            if not 0 <= w.machine < n_machines or w.end <= w.start:
                raise InstanceError(f"invalid unavailability window {w}")
        self._validate_frozen()

    def _validate_frozen(self) -> None:
        frozen = self.frozen_by_op
        if len(frozen) != len(self.frozen):
            raise InstanceError("an operation is frozen twice")
        for a in self.frozen:
            if not 0 <= a.op < len(self.operations):
                raise InstanceError(f"frozen assignment names unknown operation {a.op}")
            if self.operations[a.op].duration_on(a.machine) is None:
                raise InstanceError(f"operation {a.op} is frozen on ineligible machine {a.machine}")
            if a.start > self.now or a.end <= a.start:
                raise InstanceError(
                    f"operation {a.op} is frozen at [{a.start}, {a.end}) but only work that "
                    f"started by now={self.now} can be frozen"
                )
            for p in self.operations[a.op].predecessors:
                if p not in frozen:
                    raise InstanceError(
                        f"operation {a.op} is frozen but its predecessor {p} is not"
                    )

    @cached_property
    def frozen_by_op(self) -> dict[int, Assignment]:
        return {a.op: a for a in self.frozen}

    @cached_property
    def successors(self) -> tuple[tuple[int, ...], ...]:
        succ: list[list[int]] = [[] for _ in self.operations]
        for i, op in enumerate(self.operations):
            for p in sorted(set(op.predecessors)):
                succ[p].append(i)
        return tuple(tuple(s) for s in succ)

    @cached_property
    def topological_order(self) -> tuple[int, ...]:
        """Operations so that predecessors come first (smallest index first among ready ones)."""
        indegree = [len(set(op.predecessors)) for op in self.operations]
        ready = [i for i, d in enumerate(indegree) if d == 0]
        heapq.heapify(ready)
        order: list[int] = []
        while ready:
            i = heapq.heappop(ready)
            order.append(i)
            for s in self.successors[i]:
                indegree[s] -= 1
                if indegree[s] == 0:
                    heapq.heappush(ready, s)
        if len(order) != len(self.operations):
            raise InstanceError("the precedence constraints contain a cycle")
        return tuple(order)

    @cached_property
    def job_operations(self) -> tuple[tuple[int, ...], ...]:
        ops: list[list[int]] = [[] for _ in self.jobs]
        for i, op in enumerate(self.operations):
            ops[op.job].append(i)
        return tuple(tuple(o) for o in ops)

    @cached_property
    def job_sinks(self) -> tuple[tuple[int, ...], ...]:
        """Per job, its operations with no successor in the same job: they end the job."""
        return tuple(
            tuple(
                i
                for i in ops
                if all(self.operations[s].job != self.operations[i].job for s in self.successors[i])
            )
            for ops in self.job_operations
        )

    @cached_property
    def tails(self) -> tuple[int, ...]:
        """Longest chain of minimum durations from each operation (itself included) onwards."""
        tail = [0] * len(self.operations)
        for i in reversed(self.topological_order):
            tail[i] = self.operations[i].min_duration + max(
                (tail[s] for s in self.successors[i]), default=0
            )
        return tuple(tail)

    @cached_property
    def blocked(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Per machine, the merged unavailability windows sorted by start."""
        per: list[list[tuple[int, int]]] = [[] for _ in self.machines]
        for w in self.windows:
            per[w.machine].append((w.start, w.end))
        merged: list[tuple[tuple[int, int], ...]] = []
        for spans in per:
            out: list[tuple[int, int]] = []
            for start, end in sorted(spans):
                if out and start <= out[-1][1]:
                    out[-1] = (out[-1][0], max(out[-1][1], end))
                else:
                    out.append((start, end))
            merged.append(tuple(out))
        return tuple(merged)

    @cached_property
    def has_setups(self) -> bool:
        return any(v > 0 for v in self.setups.values())

    @cached_property
    def is_flexible(self) -> bool:
        return any(len(op.modes) > 1 for op in self.operations)

    def setup(self, before: int, after: int) -> int:
        """Setup time between two operations that follow each other on a machine."""
        key = (self.operations[before].family, self.operations[after].family)
        return self.setups.get(key, 0)

    def earliest_start(self, op: int) -> int:
        """Release and `now` bound for a not-yet-started operation."""
        operation = self.operations[op]
        return max(self.jobs[operation.job].release, operation.release, self.now)

    @cached_property
    def horizon(self) -> int:
        """An end time no reasonable (left-justified) schedule exceeds."""
        start = max(
            [self.now, *(j.release for j in self.jobs), *(o.release for o in self.operations)]
            + [a.end for a in self.frozen]
            + [w.end for w in self.windows]
        )
        max_setup = max(self.setups.values(), default=0)
        work = sum(max(m.duration for m in op.modes) + max_setup for op in self.operations)
        return start + work
