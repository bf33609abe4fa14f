"""The explainable score: price, shipping time and the Maker Score, each relative to the best
of the ranked makers, weighted by the published policy."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from c2m.engines.routing.decision import Ranked, ScoreParts
from c2m.engines.routing.filters import Candidate
from c2m.engines.routing.policy import RoutingPolicy
from c2m.engines.routing.shipping import in_days


def best_machine(candidates: Sequence[Candidate]) -> Candidate:
    """A maker's machine to offer: the cheapest, then the one ready first."""
    return min(candidates, key=lambda c: (c.price, c.ready_at, c.machine.id))


def parts_of(candidate: Candidate, cheapest: int, fastest: int) -> ScoreParts:
    return ScoreParts(
        price=max(cheapest, 1) / max(candidate.price, 1),
        shipping=fastest / candidate.ship_days,
        maker=candidate.maker.score,
    )


def weighted(parts: ScoreParts, policy: RoutingPolicy) -> float:
    return (
        policy.price_weight * parts.price
        + policy.shipping_weight * parts.shipping
        + policy.maker_weight * parts.maker
    )


def tie_hash(job_id: str, maker_id: str) -> int:
    """A stable, evenly spread order among equals that differs from job to job."""
    digest = hashlib.blake2b(f"{job_id}/{maker_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _order(job_id: str, scored: list[tuple[float, Candidate]], tolerance: float) -> list[int]:
    """Indices by score, highest first; scores within ``tolerance`` of their group's best are
    equal, and equals go fewest recent offers first, then by the stable hash."""
    by_score = sorted(range(len(scored)), key=lambda i: -scored[i][0])
    out: list[int] = []
    group: list[int] = []

    def flush() -> None:
        group.sort(
            key=lambda i: (
                scored[i][1].maker.recent_offers,
                tie_hash(job_id, scored[i][1].maker.id),
            )
        )
        out.extend(group)
        group.clear()

    for i in by_score:
        if group and scored[group[0]][0] - scored[i][0] > tolerance:
            flush()
        group.append(i)
    flush()
    return out


def rank(job_id: str, best: list[Candidate], policy: RoutingPolicy) -> tuple[Ranked, ...]:
    """Each maker's best machine scored, ordered and explained."""
    if not best:
        return ()
    cheapest = min(c.price for c in best)
    fastest = min(c.ship_days for c in best)
    scored = [(weighted(parts_of(c, cheapest, fastest), policy), c) for c in best]
    out: list[Ranked] = []
    for position, i in enumerate(_order(job_id, scored, policy.tie_tolerance), start=1):
        score, c = scored[i]
        above = (c.price - cheapest) / max(cheapest, 1)
        price = policy.money(c.price) + (
            f" (+{above:.0%})" if c.price > cheapest else " (cheapest)"
        )
        reason = (
            f"ranked {ordinal(position)}: price {price}, ships in {in_days(c.ship_days)}, "
            f"Maker Score {c.maker.score:.2f}, total {score:.3f} on {c.machine.id}"
        )
        out.append(
            Ranked(
                c.maker.id,
                c.machine.id,
                position,
                c.price,
                c.ready_at,
                c.ship_days,
                score,
                parts_of(c, cheapest, fastest),
                reason,
            )
        )
    return tuple(out)
