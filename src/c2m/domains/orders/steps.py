"""The factory's steps of one order, one line each with its own state, read from the order's
routing and its timeline: a step started twice (it moved machines) or made again after a failed
inspection is still one line, and a machine's code is a detail, never the headline.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import OrderEvent, OrderLine
from c2m.domains.orders.step_words import step_title

E = OrderEventType

#: Timeline events about one step: the step list shows them, the history does not repeat them.
STEP_EVENTS: frozenset[str] = frozenset(
    {E.OPERATION_STARTED, E.OPERATION_DONE, E.RESCHEDULED, E.MACHINE_DOWN}
)


class StepState(enum.StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    HELD = "held"


STATE_WORDS: dict[StepState, str] = {
    StepState.WAITING: "Waiting",
    StepState.RUNNING: "In progress",
    StepState.DONE: "Done",
    StepState.HELD: "On hold",
}


@dataclass
class Step:
    """One step as the customer follows it; ``machine`` only goes under "details"."""

    key: str
    title: str
    lines: int = 1  # order lines that need this step
    done: int = 0  # of them, how many are finished
    state: StepState = StepState.WAITING
    reason: str = ""
    machine: str = ""
    percent: int | None = None

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]


def planned_steps(lines: Iterable[OrderLine]) -> list[Step]:
    """The steps the lines' routings list, in order; a step several lines share is one."""
    steps: dict[str, Step] = {}
    for line in lines:
        for operation in line.routing or ():
            key = str(operation["id"])
            if key in steps:
                steps[key].lines += 1
            else:
                title = step_title(str(operation["name"]), operation.get("capability"))
                steps[key] = Step(key, title)
    return list(steps.values())


def follow(steps: list[Step], events: Sequence[OrderEvent]) -> list[Step]:
    """Each step's state after the timeline's events; steps the routing did not list (a
    catalog product's standard steps) are added as the factory reports them."""
    by_key = {step.key: step for step in steps}
    for event in events:
        data: Mapping[str, Any] = event.data or {}
        key = data.get("step")
        if not isinstance(key, str):
            if event.type == E.RESUMED:
                _release_holds(steps)
            continue
        step = by_key.get(key)
        if step is None:
            step = Step(key, step_title(str(data.get("operation") or key)))
            by_key[key] = step
            steps.append(step)
        _apply(steps, step, event.type, data)
    return steps


def _apply(steps: list[Step], step: Step, kind: str, data: Mapping[str, Any]) -> None:
    if kind == E.OPERATION_STARTED or kind == E.RESUMED:
        step.state, step.reason, step.machine = StepState.RUNNING, "", str(data.get("machine", ""))
    elif kind == E.OPERATION_DONE:
        step.done += 1
        step.state = StepState.DONE if step.done >= step.lines else StepState.WAITING
        step.machine = str(data.get("machine", step.machine))
    elif kind in (E.ON_HOLD, E.MACHINE_DOWN):
        step.state, step.reason = StepState.HELD, str(data.get("reason") or "")
    elif kind == E.RESCHEDULED:
        step.state, step.reason = StepState.WAITING, "moved to another machine"
    elif kind == E.REMAKE:  # this step and everything before it are made again
        for again in steps[: steps.index(step) + 1]:
            again.state, again.done, again.reason = StepState.WAITING, 0, ""
        step.reason = str(data.get("reason") or "")


def _release_holds(steps: list[Step]) -> None:
    for step in steps:
        if step.state is StepState.HELD:
            step.state, step.reason = StepState.WAITING, ""


def with_percent(steps: list[Step], percents: Mapping[str, int]) -> list[Step]:
    """Running steps with how far their machine says it is (from its job reports)."""
    for step in steps:
        if step.state is StepState.RUNNING and step.key in percents:
            step.percent = percents[step.key]
    return steps
