"""Makers with equal scores share the work: fewest recent offers first, then a stable hash."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from routing_support import job, machine, maker, twins

from c2m.engines.routing import Maker, RoutingPolicy, route
from c2m.engines.routing.policy import DEFAULT_POLICY

#: Maker Scores this far apart move the routing score by less than the tie tolerance.
WITHIN_TOLERANCE = 0.9 * DEFAULT_POLICY.tie_tolerance / DEFAULT_POLICY.maker_weight


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.0, WITHIN_TOLERANCE), min_size=2, max_size=12),
    st.integers(1, 60),
)
def test_makers_equal_within_the_tolerance_share_first_offers_within_one(
    offsets: list[float], jobs: int
) -> None:
    """The domain counts each first offer into ``recent_offers``; then no maker among equals
    (scores within the tolerance) ever has more than one first offer above another."""
    crowd = [replace(m, score=0.8 + d) for m, d in zip(twins(len(offsets)), offsets, strict=True)]
    firsts: Counter[str] = Counter()
    for n in range(jobs):
        first = route(job(f"j{n}"), crowd).offers[0].maker_id
        firsts[first] += 1
        crowd = [replace(m, recent_offers=firsts[m.id]) for m in crowd]
    shares = [firsts[m.id] for m in crowd]
    assert max(shares) - min(shares) <= 1


def test_the_stable_hash_spreads_first_offers_without_any_counts() -> None:
    """With nothing counted the hash alone shares: 4,000 jobs over 8 twins, each within 20 % of
    a fair 500 (a binomial spread of 3 standard deviations is about ±60)."""
    crowd = twins(8)
    firsts = Counter(route(job(f"j{n}"), crowd).offers[0].maker_id for n in range(4000))
    assert len(firsts) == 8
    assert all(400 <= count <= 600 for count in firsts.values())


def test_scores_within_the_tolerance_count_as_equal() -> None:
    policy = RoutingPolicy(tie_tolerance=0.01)
    slightly_better = maker("better", score=0.82, recent_offers=5)
    rested = maker("rested", score=0.80, recent_offers=0)
    order = [o.maker_id for o in route(job(), [slightly_better, rested], policy).offers]
    assert order == ["rested", "better"]
    strict = RoutingPolicy(tie_tolerance=0.0)
    order = [o.maker_id for o in route(job(), [slightly_better, rested], strict).offers]
    assert order == ["better", "rested"]


def test_order_does_not_depend_on_the_order_makers_are_given_in() -> None:
    crowd: list[Maker] = [*twins(5), maker("dear", machine(price_per_hour=900))]
    forwards = [o.maker_id for o in route(job(), crowd).offers]
    backwards = [o.maker_id for o in route(job(), crowd[::-1]).offers]
    assert forwards == backwards
    assert forwards[-1] == "dear"
