"""The checker catches every kind of broken rule, and the model refuses contradictions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from c2m.engines.scheduling.checker import InfeasibleScheduleError, assert_feasible, violations
from c2m.engines.scheduling.model import (
    Assignment,
    Instance,
    InstanceError,
    Job,
    Mode,
    Operation,
    Schedule,
    Window,
)

SHOP = Instance(
    machines=("M0", "M1"),
    jobs=(Job(release=1), Job()),
    operations=(
        Operation(job=0, modes=(Mode(0, 2), Mode(1, 3)), family="a"),
        Operation(job=0, modes=(Mode(1, 2),), predecessors=(0,), family="a"),
        Operation(job=1, modes=(Mode(0, 2),), family="b", release=4),
    ),
    setups={("a", "b"): 1},
    windows=(Window(1, 10, 12),),
)
CYCLE_A = Operation(job=0, modes=(Mode(0, 1),), predecessors=(1,))
CYCLE_B = Operation(job=0, modes=(Mode(0, 1),), predecessors=(0,))
GOOD = Schedule((Assignment(0, 0, 1, 3), Assignment(1, 1, 3, 5), Assignment(2, 0, 4, 6)))


def broken(op: int, **changes: int) -> Schedule:
    assignments = list(GOOD.assignments)
    assignments[op] = replace(assignments[op], **changes)
    return Schedule(tuple(assignments))


def test_a_feasible_schedule_passes() -> None:
    assert violations(SHOP, GOOD) == []


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (broken(0, start=0, end=2), "before its release"),
        (broken(2, start=3, end=5), "before its release"),
        (broken(1, start=2, end=4), "before 0 ends"),
        (broken(2, start=3, end=5), "plus setup 1"),
        (broken(1, machine=0), "cannot run it"),
        (broken(0, end=4), "lasts 3, not 2"),
        (broken(1, start=9, end=11), "unavailable"),
        (Schedule(GOOD.assignments[:2]), "exactly one assignment per operation"),
    ],
    ids=[
        "release",
        "material",
        "precedence",
        "setup",
        "eligibility",
        "duration",
        "window",
        "missing",
    ],
)
def test_each_broken_rule_is_named(schedule: Schedule, words: str) -> None:
    found = violations(SHOP, schedule)
    assert any(words in v for v in found), found
    with pytest.raises(InfeasibleScheduleError):
        assert_feasible(SHOP, schedule)


def test_frozen_operations_must_not_move() -> None:
    frozen = replace(SHOP, frozen=(Assignment(0, 0, 1, 3),), now=2)
    assert violations(frozen, broken(2, start=5, end=7)) == []
    assert any("frozen" in v for v in violations(frozen, broken(0, start=2, end=4)))
    assert any(
        "before its release or now" in v for v in violations(frozen, broken(2, start=1, end=3))
    )


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"operations": (CYCLE_A, CYCLE_B)}, "cycle"),
        ({"operations": (Operation(job=0, modes=(Mode(5, 1),)),)}, "unknown machine"),
        ({"operations": (Operation(job=3, modes=(Mode(0, 1),)),)}, "unknown job"),
        ({"operations": (Operation(job=0, modes=()),)}, "no eligible machine"),
        ({"operations": (Operation(job=0, modes=(Mode(0, 0),)),)}, "non-positive duration"),
        ({"operations": (Operation(job=0, modes=(Mode(0, 1),), release=-1),)}, "negative release"),
        ({"windows": (Window(0, 5, 5),)}, "invalid unavailability window"),
        ({"frozen": (Assignment(1, 1, 0, 2),), "now": 1}, "predecessor 0 is not"),
        ({"frozen": (Assignment(0, 0, 5, 7),), "now": 1}, "started by now"),
        ({"setups": {("a", "b"): -1}}, "negative"),
    ],
)
def test_contradictory_instances_are_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(InstanceError, match=words):
        replace(SHOP, **changes)  # type: ignore[arg-type]
