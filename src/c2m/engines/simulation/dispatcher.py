"""A first-in-first-out dispatcher per capability, for standalone twin runs and benchmarks.

It drives the twin only through its ports, as the planner will over MQTT: it sends commands
with fresh attempt ids and learns everything else from events. A failed attempt is retried
first in line under a new attempt id; attempts lost with a death are retried once the rebirth
lists them as aborted; a part scrapped at inspection is remade from its first step.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from c2m.domains.factory.vocabulary import MachineState
from c2m.engines.simulation.events import TwinEvent
from c2m.engines.simulation.model import JobCommand, TwinError

if TYPE_CHECKING:
    from c2m.engines.simulation.twin import Twin  # SimPy: the caller built the twin


@dataclass(frozen=True, slots=True)
class Step:
    operation: str
    capability: str
    nominal_s: float


@dataclass(frozen=True, slots=True)
class WorkOrder:
    """One part to make: its routing's steps in sequence; ``family`` drives setup times."""

    id: str
    family: str
    steps: tuple[Step, ...]


@dataclass(slots=True)
class _Task:
    order: WorkOrder
    step: int
    ticket: int  # release order, for FIFO across a machine's capabilities
    attempts: int = 0
    make: int = 1  # bumped when the part is scrapped and remade

    @property
    def operation_id(self) -> str:
        base = f"{self.order.id}.{self.order.steps[self.step].operation}"
        return base if self.make == 1 else f"{base}.m{self.make}"

    @property
    def attempt_id(self) -> str:
        return f"{self.operation_id}.a{self.attempts}"


@dataclass(slots=True)
class DispatchStats:
    released: int = 0
    completed: dict[str, float] = field(default_factory=dict)
    """order id → simulated completion time."""
    commands: int = 0
    retried: int = 0
    scrapped: int = 0


class FifoDispatcher:
    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.stats = DispatchStats()
        self._queues: dict[str, deque[_Task]] = {}
        self._idle: dict[str, None] = {}  # ordered set: deterministic machine choice
        self._busy: dict[str, _Task] = {}  # machine → attempt in flight
        self._tickets = 0
        self._capable = {
            capability: tuple(m.id for m in twin.factory.capable(capability))
            for capability in {c for m in twin.factory.machines for c in m.capabilities}
        }
        twin.subscribe(self._on_event)

    def release(self, order: WorkOrder) -> None:
        """The order may start now; its first step joins the back of its capability's queue."""
        missing = [s.capability for s in order.steps if s.capability not in self._capable]
        if missing:
            raise TwinError(f"order {order.id!r} needs {missing}, which no machine can do")
        self.stats.released += 1
        self._enqueue(_Task(order, 0, self._ticket()))

    def release_at(self, time_s: float, order: WorkOrder) -> None:
        self.twin.at(time_s, lambda: self.release(order))

    def waiting(self) -> int:
        return sum(len(queue) for queue in self._queues.values()) + len(self._busy)

    def _ticket(self) -> int:
        self._tickets += 1
        return self._tickets

    def _enqueue(self, task: _Task, *, first: bool = False) -> None:
        capability = task.order.steps[task.step].capability
        queue = self._queues.setdefault(capability, deque())
        if first:
            queue.appendleft(task)
        else:
            queue.append(task)
        for machine_id in self._capable[capability]:
            if machine_id in self._idle:
                self._assign(machine_id)
                return

    def _assign(self, machine_id: str) -> None:
        """Send the oldest task this idle machine can do, if any."""
        heads = [
            queue
            for capability in self.twin.machines[machine_id].spec.capabilities
            if (queue := self._queues.get(capability))
        ]
        if not heads:
            return
        task = min(heads, key=lambda queue: queue[0].ticket).popleft()
        step = task.order.steps[task.step]
        task.attempts += 1
        command = JobCommand(
            task.operation_id,
            task.attempt_id,
            step.nominal_s,
            task.order.family,
            step.capability,
        )
        del self._idle[machine_id]
        self._busy[machine_id] = task
        self.stats.commands += 1
        self.twin.submit(machine_id, command)

    def _on_event(self, event: TwinEvent) -> None:
        machine_id, phase = event.machine_id, event.phase
        if event.kind == "state":
            if event.payload["state"] != MachineState.IDLE:
                self._idle.pop(machine_id, None)
            elif machine_id not in self._busy:
                self._idle[machine_id] = None
                self._assign(machine_id)
        elif event.kind == "birth":
            aborted = event.payload["aborted"]
            task = self._busy.get(machine_id)
            if task is not None and isinstance(aborted, list) and task.attempt_id in aborted:
                del self._busy[machine_id]
                self._retry(task)
        elif phase == "failed":
            self._retry(self._busy.pop(machine_id))
        elif phase == "done":
            self._finished(self._busy.pop(machine_id), event)

    def _retry(self, task: _Task) -> None:
        self.stats.retried += 1
        self._enqueue(task, first=True)

    def _finished(self, task: _Task, event: TwinEvent) -> None:
        if event.payload["outcome"] == "scrap":
            self.stats.scrapped += 1
            self._enqueue(_Task(task.order, 0, self._ticket(), make=task.make + 1))
        elif task.step + 1 < len(task.order.steps):
            self._enqueue(_Task(task.order, task.step + 1, self._ticket(), make=task.make))
        else:
            self.stats.completed[task.order.id] = event.at
