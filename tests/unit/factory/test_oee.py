"""OEE from state changes and finished attempts: the textbook numbers, computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c2m.domains.factory.oee import Change, Finished, measure
from c2m.domains.factory.vocabulary import MachineState as S

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_shift_with_a_breakdown_and_a_scrapped_part() -> None:
    # 0-10 idle (no work: not a loss), 10-70 running, 70-90 down, 90-100 setup, 100-160 running
    changes = [
        Change(at(10), S.RUNNING),
        Change(at(70), S.DOWN, "breakdown"),
        Change(at(90), S.SETUP),
        Change(at(100), S.RUNNING),
        Change(at(160), S.IDLE),
    ]
    finished = [Finished(50 * 60, True), Finished(40 * 60, True), Finished(18 * 60, False)]
    oee = measure(S.IDLE, changes, finished, at(0), at(180))
    assert oee.availability == pytest.approx(120 / 150)
    assert oee.performance == pytest.approx(108 / 120)
    assert oee.quality == pytest.approx(2 / 3)
    assert oee.oee == pytest.approx(120 / 150 * 108 / 120 * 2 / 3)
    assert oee.downtime == {"breakdown": pytest.approx(20 * 60)}
    assert oee.seconds[S.IDLE] == pytest.approx(30 * 60)


def test_changes_outside_the_window_are_cut_at_its_edges() -> None:
    changes = [Change(at(-30), S.RUNNING), Change(at(30), S.DOWN, "jam"), Change(at(90), S.IDLE)]
    oee = measure(S.RUNNING, changes[1:], [], at(0), at(60))
    assert oee.seconds == {S.RUNNING: pytest.approx(1800), S.DOWN: pytest.approx(1800)}
    assert oee.availability == pytest.approx(0.5)
    assert oee.performance == 0.0
    assert oee.quality is None
    assert oee.oee is None


@given(
    st.lists(st.tuples(st.floats(0, 600), st.sampled_from(list(S))), min_size=0, max_size=30),
    st.lists(st.tuples(st.floats(0, 100), st.booleans()), max_size=10),
)
def test_every_second_of_the_window_is_counted_once(
    raw: list[tuple[float, S]], jobs: list[tuple[float, bool]]
) -> None:
    changes = [Change(at(minute), state) for minute, state in raw]
    finished = [Finished(ideal, good) for ideal, good in jobs]
    oee = measure(S.OFFLINE, changes, finished, at(0), at(600))
    assert sum(oee.seconds.values()) == pytest.approx(600 * 60)
    for share in (oee.availability, oee.performance, oee.quality, oee.oee):
        assert share is None or 0.0 <= share <= 1.0
