"""The digital twin: a factory of simulated machines behind one input and one output port.

Input: ``submit`` (a machine's ``cmd`` topic) and the fault/maintenance controls. Output: every
listener given to ``subscribe`` receives each ``TwinEvent`` synchronously. Time runs with
``run``; a ``RealtimeEnvironment`` paces it against the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy
import simpy.rt

from c2m.domains.factory.vocabulary import MachineState
from c2m.engines.simulation.events import Listener, Payload, TwinEvent
from c2m.engines.simulation.machine import SimMachine
from c2m.engines.simulation.model import Ack, FactorySpec, JobCommand, TwinError

DEFAULT_PROGRESS_MARKS = (25, 50, 75)
WALL_SLICE_S = 0.1
"""In real time, ``run`` returns to its ``between`` callback this often (wall seconds)."""


def make_environment(speed: float | None = None) -> simpy.Environment:
    """As fast as possible (``speed`` None) or ``speed`` simulated seconds per wall second.

    Not strict: when the host falls behind, the twin catches up instead of raising.
    """
    if speed is None:
        return simpy.Environment()
    if speed <= 0:
        raise TwinError("speed must be positive")
    return simpy.rt.RealtimeEnvironment(factor=1 / speed, strict=False)


class Twin:
    def __init__(
        self,
        factory: FactorySpec,
        *,
        seed: int = 0,
        env: simpy.Environment | None = None,
        progress_marks: tuple[int, ...] = DEFAULT_PROGRESS_MARKS,
    ) -> None:
        if list(progress_marks) != sorted(set(progress_marks)) or not all(
            0 < mark < 100 for mark in progress_marks
        ):
            raise TwinError("progress marks must be increasing percentages between 0 and 100")
        self.factory = factory
        self.env = env if env is not None else simpy.Environment()
        self._listeners: list[Listener] = []
        self._synced = False
        self.machines = {
            spec.id: SimMachine(spec, self.env, self._emit, seed, progress_marks)
            for spec in factory.machines
        }

    @property
    def now(self) -> float:
        return float(self.env.now)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        """Birth of every machine, in definition order."""
        for machine in self.machines.values():
            machine.revive()

    def submit(self, machine_id: str, command: JobCommand) -> Ack:
        return self._machine(machine_id).submit(command)

    def kill(self, machine_id: str) -> bool:
        return self._machine(machine_id).kill()

    def revive(self, machine_id: str) -> bool:
        return self._machine(machine_id).revive()

    def break_down(
        self, machine_id: str, reason: str = "breakdown", repair_s: float | None = None
    ) -> bool:
        return self._machine(machine_id).break_down(reason, repair_s)

    def maintain(self, machine_id: str, duration_s: float) -> bool:
        return self._machine(machine_id).maintain(duration_s)

    def state(self, machine_id: str) -> MachineState:
        return self._machine(machine_id).state

    def at(self, time_s: float, action: Callable[[], object]) -> None:
        """Call ``action`` at simulated time ``time_s`` (a scripted fault, an order arrival)."""

        def fire(_event: simpy.Event) -> None:
            action()

        self.env.timeout(max(0.0, time_s - self.env.now)).callbacks.append(fire)

    def run(
        self,
        until: float,
        *,
        between: Callable[[], None] | None = None,
        slice_s: float | None = None,
    ) -> None:
        """Advance to ``until``, calling ``between`` every ``slice_s`` simulated seconds.

        ``between`` is where a threaded adapter drains its inbox into ``submit``; in real time
        the slice defaults to ``WALL_SLICE_S`` of wall clock, so commands wait at most that.
        """
        env = self.env
        if isinstance(env, simpy.rt.RealtimeEnvironment):
            if not self._synced and env.now == env.env_start:
                env.sync()
            if slice_s is None:
                slice_s = WALL_SLICE_S / env.factor
        self._synced = True
        if between is None or slice_s is None:
            if until > env.now:
                env.run(until=until)
            return
        while env.now < until:
            between()
            env.run(until=min(until, env.now + slice_s))

    def _machine(self, machine_id: str) -> SimMachine:
        try:
            return self.machines[machine_id]
        except KeyError:
            raise TwinError(f"factory {self.factory.id!r} has no machine {machine_id!r}") from None

    def _emit(self, machine_id: str, kind: str, payload: Payload) -> None:
        event = TwinEvent(float(self.env.now), self.factory.id, machine_id, kind, payload)
        for listener in self._listeners:
            listener(event)
