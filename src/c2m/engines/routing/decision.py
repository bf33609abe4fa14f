"""What routing answers: the ranked offers, and a reason for every maker considered."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """The three parts of a routing score, each in [0, 1] (1 = the best among the ranked)."""

    price: float
    shipping: float
    maker: float


@dataclass(frozen=True, slots=True)
class Ranked:
    """A maker the job may be offered to, on its best machine, and why it stands where it does."""

    maker_id: str
    machine_id: str
    rank: int
    price: int
    ready_at: float
    ship_days: int
    score: float
    parts: ScoreParts
    reason: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """A maker filtered out, and why in words."""

    maker_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """Offers in the order they are made; every maker considered is in exactly one list."""

    job_id: str
    offers: tuple[Ranked, ...]
    rejected: tuple[Rejected, ...]

    def reasons(self) -> dict[str, str]:
        """Every maker considered → the sentence that explains its place or its absence."""
        out = {r.maker_id: r.reason for r in self.rejected}
        out.update((o.maker_id, o.reason) for o in self.offers)
        return out
