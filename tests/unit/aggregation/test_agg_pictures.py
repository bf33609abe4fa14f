"""The coverage picture's k axis: both ends labelled, and no two labels close enough to run
into each other, whatever range of k was tried (issue 19: readable charts)."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from c2m.engines.aggregation.choose import CurvePoint
from c2m.engines.aggregation.pictures import ChartSize, coverage_svg

PAGE = ChartSize(340, 260, 14)
K_LABEL = re.compile(r'<text x="([\d.]+)" y="(\d+)" text-anchor="middle">(\d+)</text>')


def k_labels(low: int, high: int, size: ChartSize) -> list[tuple[float, int]]:
    curve = [CurvePoint(k, k / (high + 1), 0.0) for k in range(low, high + 1)]
    svg = coverage_svg([("coverage", curve)], "coverage", size=size)
    return sorted((float(x), int(k)) for x, _, k in K_LABEL.findall(svg))


@given(low=st.integers(1, 60), extra=st.integers(0, 140))
def test_the_k_axis_labels_both_ends_and_never_crowds(low: int, extra: int) -> None:
    high = low + extra
    labels = k_labels(low, high, PAGE)
    assert labels[0][1] == low
    assert labels[-1][1] == high
    widest = len(str(high)) * 0.6 * PAGE.font  # a digit is ~0.6 em
    gaps = [b[0] - a[0] for a, b in pairwise(labels)]
    assert all(gap >= widest + 4 for gap in gaps), labels


def test_a_page_chart_asks_for_its_own_box_and_text_size() -> None:
    svg = coverage_svg([("coverage", [CurvePoint(2, 0.5, 0.1)])], "coverage", size=PAGE)
    assert 'viewBox="0 0 340 260"' in svg
    assert 'font-size="14"' in svg
    assert '<circle cx="56.0"' in svg  # a single k tried is still a visible point
