"""The customer's step list: plain words for the routing's steps, one line per step whatever the
factory reports, in any order (steps started twice, moved, held, made again)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c2m.demo.templates import REFRIGERATOR
from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import OrderEvent, OrderLine
from c2m.domains.orders.step_words import step_title
from c2m.domains.orders.steps import StepState, follow, planned_steps

E = OrderEventType
FRIDGE_ROUTING = [
    {"id": op.id, "name": op.name, "capability": op.capability} for op in REFRIGERATOR.routing
]


@pytest.mark.parametrize(
    ("name", "capability", "words"),
    [
        ("Cut panels", "sheet-cut", "Cutting panels"),
        ("Foam the cabinet", "foam-inject", "Foaming the cabinet"),
        ("Fold and pack", "pack", "Folding and packing"),
        ("Inspect", "inspect", "Checking the quality"),
        ("Inspect", None, "Checking the quality"),
        ("Make (FDM, PLA)", "fdm-print", "3D printing your part"),
        ("Laser the logo", "sheet-cut", "Cutting the parts"),
        ("Laser the logo", "plasma", "Laser the logo"),
    ],
)
def test_steps_are_named_by_what_is_happening(
    name: str, capability: str | None, words: str
) -> None:
    assert step_title(name, capability) == words


def line(routing: list[dict[str, object]]) -> OrderLine:
    return OrderLine(routing=routing)


def event(kind: E, key: str, **data: object) -> OrderEvent:
    return OrderEvent(type=kind.value, data={"step": key, "operation": key, **data})


def test_a_held_step_says_why_and_a_remake_sends_earlier_steps_back() -> None:
    steps = follow(
        planned_steps([line(FRIDGE_ROUTING)]),
        [
            event(E.OPERATION_STARTED, "cut", machine="laser-2"),
            event(E.OPERATION_DONE, "cut"),
            event(E.OPERATION_STARTED, "foam"),
            event(E.ON_HOLD, "foam", reason="the machine went down during this step"),
        ],
    )
    states = {step.key: step.state for step in steps}
    assert states["cut"] is StepState.DONE
    assert states["foam"] is StepState.HELD
    assert steps[1].reason == "the machine went down during this step"
    again = follow(steps, [event(E.REMAKE, "inspect", reason="failed inspection")])
    assert {step.state for step in again} == {StepState.WAITING}


def test_a_quoted_part_is_printed_checked_and_packed() -> None:
    routing = [{"id": "make", "name": "Make (FDM, PLA)", "capability": "fdm-print"}]
    routing += [{"id": k, "name": k.title(), "capability": k} for k in ("inspect", "pack")]
    titles = [step.title for step in planned_steps([line(routing)])]
    assert titles == ["3D printing your part", "Checking the quality", "Packing"]


KINDS = st.sampled_from(
    [E.OPERATION_STARTED, E.OPERATION_DONE, E.RESCHEDULED, E.MACHINE_DOWN, E.RESUMED, E.REMAKE]
)
KEYS = st.sampled_from([op["id"] for op in FRIDGE_ROUTING] + ["extra"])


@given(st.lists(st.tuples(KINDS, KEYS), max_size=40), st.integers(1, 3))
def test_every_step_is_one_line_and_done_once_every_line_made_it(
    news: list[tuple[E, str]], lines: int
) -> None:
    steps = follow(
        planned_steps([line(FRIDGE_ROUTING)] * lines), [event(kind, key) for kind, key in news]
    )
    keys = [step.key for step in steps]
    assert len(keys) == len(set(keys))
    assert keys[: len(FRIDGE_ROUTING)] == [op["id"] for op in FRIDGE_ROUTING]
    finished = [event(E.OPERATION_DONE, key) for key in keys for _ in range(lines)]
    assert {step.state for step in follow(steps, finished)} == {StepState.DONE}
