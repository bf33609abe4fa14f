"""Net Promoter Score: the share of promoters (9-10) minus the share of detractors (0-6), in
points from -100 to 100. Below a minimum number of answers it is not a number worth showing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MIN_ANSWERS = 5
"""Fewer answers than this are shown as "not enough data", not as a score."""


@dataclass(frozen=True, slots=True)
class NetPromoter:
    promoters: int
    passives: int
    detractors: int
    asked: int
    """Delivered orders whose customer could answer: the response rate's denominator."""

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> int | None:
        """Rounded NPS, or None below :data:`MIN_ANSWERS` answers."""
        if self.answers < MIN_ANSWERS:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answers)

    @property
    def response_rate(self) -> float | None:
        return self.answers / self.asked if self.asked else None


def net_promoter(scores: Iterable[int], asked: int) -> NetPromoter:
    promoters = passives = detractors = 0
    for score in scores:
        if score >= 9:
            promoters += 1
        elif score >= 7:
            passives += 1
        else:
            detractors += 1
    answered = promoters + passives + detractors
    return NetPromoter(promoters, passives, detractors, max(asked, answered))
