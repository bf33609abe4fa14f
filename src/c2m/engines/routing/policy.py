"""The platform's published routing rules in one place: weights, limits and bounds, so the
documentation (docs/makers.md) and the code cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from c2m.engines.routing.errors import RoutingError
from c2m.engines.routing.model import SizeClass


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    """Score weights (they sum to 1), the tie tolerance, probation, the per-capability trust
    floor, how long a maker has to answer an offer, how far a counter-offer may go, and what
    a day of shipping is worth in a batch's cost."""

    price_weight: float = 0.5
    shipping_weight: float = 0.2
    maker_weight: float = 0.3
    tie_tolerance: float = 0.005
    probation_jobs: int = 3
    probation_size: SizeClass = SizeClass.SMALL
    min_capability_score: float = 0.5
    offer_hours: float = 4.0
    counter_max_raise: float = 0.15
    shipping_day_cents: int = 200
    currency: str = "€"

    def __post_init__(self) -> None:
        weights = (self.price_weight, self.shipping_weight, self.maker_weight)
        if min(weights) < 0 or abs(sum(weights) - 1.0) > 1e-9:
            raise RoutingError("the score weights must be non-negative and sum to 1")
        if self.offer_hours <= 0 or self.counter_max_raise < 0 or self.tie_tolerance < 0:
            raise RoutingError("offer hours must be positive, tolerances non-negative")

    def money(self, cents: int) -> str:
        return f"{self.currency}{cents / 100:,.2f}"


DEFAULT_POLICY = RoutingPolicy()
