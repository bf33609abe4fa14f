"""Inspection results judged against the configuration's tolerances, and told in words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from c2m.engines.quality import Reading, Tolerance, judge

DOOR_GAP = Tolerance("door-gap", "Door gap", 3.0, 0.5, "mm")
SLEEVE = Tolerance("sleeve", "Sleeve length", 65.0, 0.5, "cm")

nominals = st.floats(-1000, 1000, allow_nan=False).map(lambda v: round(v, 2))
tolerances = st.floats(0.01, 50, allow_nan=False).map(lambda v: round(v, 2))
shares = st.floats(0, 1, allow_nan=False)


@given(nominals, tolerances, shares, st.booleans())
def test_a_value_within_its_tolerance_passes(
    nominal: float, tolerance: float, share: float, above: bool
) -> None:
    value = nominal + (1 if above else -1) * share * tolerance
    verdict = judge([Tolerance("d", "D", nominal, tolerance, "mm")], [Reading("d", value)], 1)
    assert verdict.passed
    assert "within" in verdict.words


@given(nominals, tolerances, st.floats(1.001, 100, allow_nan=False), st.booleans())
def test_a_value_beyond_its_tolerance_fails_and_says_by_how_much(
    nominal: float, tolerance: float, factor: float, above: bool
) -> None:
    value = nominal + (1 if above else -1) * factor * tolerance
    verdict = judge([Tolerance("d", "D", nominal, tolerance, "mm")], [Reading("d", value)], 1)
    assert not verdict.passed
    assert ("over tolerance" if above else "under tolerance") in verdict.words


def test_the_timeline_words_read_as_a_person_would_say_them() -> None:
    passed = judge([DOOR_GAP], [Reading("door-gap", 3.1)], 1)
    assert passed.words == "Door gap 3.1 mm, within 3.0 ± 0.5 mm"
    failed = judge([SLEEVE, DOOR_GAP], [Reading("sleeve", 66.7), Reading("door-gap", 3.0)], 1)
    assert failed.words == "Sleeve length 66.7 cm, 1.2 cm over tolerance"
    short = judge([SLEEVE], [Reading("sleeve", 64.0)], 1)
    assert short.words == "Sleeve length 64.0 cm, 0.5 cm under tolerance"


def test_every_piece_is_judged_and_a_dimension_not_measured_fails() -> None:
    readings = [Reading("door-gap", 3.2, piece=1), Reading("door-gap", 2.9, piece=2)]
    assert judge([DOOR_GAP], readings, 2).passed
    assert judge([DOOR_GAP], readings, 2).words.endswith("(and 1 more pieces within tolerance)")
    missing = judge([DOOR_GAP], readings, 3)
    assert not missing.passed
    assert missing.words == "piece 3: Door gap not measured"
    assert [p.passed for p in missing.pieces] == [True, True, False]


def test_the_edge_of_the_tolerance_is_within_despite_binary_floats() -> None:
    assert judge([DOOR_GAP], [Reading("door-gap", 3.5)], 1).passed
    assert judge([DOOR_GAP], [Reading("door-gap", 2.5)], 1).passed
    assert not judge([DOOR_GAP], [Reading("door-gap", 3.51)], 1).passed


def test_many_failures_are_counted_not_all_named() -> None:
    readings = [Reading("door-gap", 9.0, piece=n) for n in range(1, 6)]
    words = judge([DOOR_GAP], readings, 5).words
    assert words.count("piece") == 3
    assert words.endswith("and 2 more out of tolerance")
