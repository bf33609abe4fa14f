"""The Maker Score: how a maker has served customers lately, as one number in [0, 1] with its
parts, a per-capability trust, and the one thing that would raise it most.

Each part is a Bayesian share: (good + prior_weight * prior) / (counted + prior_weight), so a
newcomer starts at the prior and their own record takes over job by job. The window is the last
90 days, or the last 10 jobs (offers) when the 90 days hold fewer, so a quiet maker keeps a record.
A failed job counts against every job part: it was not delivered, on time or otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from c2m.engines.routing.errors import RoutingError
from c2m.engines.routing.offers import OfferState
from c2m.engines.routing.policy import DEFAULT_POLICY


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """A job the maker made (or failed): ``at`` in hours since the week reference."""

    capability: str
    at: float
    failed: bool = False
    on_time: bool = True
    qc_passed: bool = True


@dataclass(frozen=True, slots=True)
class OfferAnswer:
    """How the maker answered an offer (accepted, declined, countered, or timed out) and how
    long it took."""

    at: float
    state: OfferState
    response_hours: float

    def __post_init__(self) -> None:
        if self.state is OfferState.OFFERED:
            raise RoutingError("an offer still open has no answer to count")


@dataclass(frozen=True, slots=True)
class ScoreRules:
    """The published formula's constants (docs/makers.md, "Your Maker Score")."""

    window_hours: float = 90 * 24.0
    min_events: int = 10
    prior: float = 0.75
    prior_weight: float = 3.0
    response_hours: float = 4.0
    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "quality": 0.30,
            "punctuality": 0.25,
            "reliability": 0.25,
            "response": 0.10,
            "acceptance": 0.10,
        }
    )


DEFAULT_RULES = ScoreRules()


@dataclass(frozen=True, slots=True)
class ScorePart:
    name: str
    value: float
    weight: float
    good: int
    counted: int


@dataclass(frozen=True, slots=True)
class MakerScore:
    """The score, its parts, trust per capability (reliability on that kind of job) and a hint."""

    value: float
    parts: tuple[ScorePart, ...]
    capabilities: Mapping[str, float]
    hint: str


class _Timed(Protocol):
    @property
    def at(self) -> float: ...


T = TypeVar("T", bound=_Timed)


def windowed(events: Iterable[T], now: float, rules: ScoreRules) -> list[T]:
    """The events of the last ``window_hours``, or the last ``min_events`` if that is more."""
    ordered = sorted((e for e in events if e.at <= now), key=lambda e: e.at)
    recent = [e for e in ordered if e.at >= now - rules.window_hours]
    return recent if len(recent) >= rules.min_events else ordered[-rules.min_events :]


def _part(name: str, good: int, counted: int, rules: ScoreRules) -> ScorePart:
    value = (good + rules.prior_weight * rules.prior) / (counted + rules.prior_weight)
    return ScorePart(name, value, rules.weights[name], good, counted)


def _capabilities(jobs: Sequence[JobOutcome], rules: ScoreRules) -> dict[str, float]:
    made: dict[str, list[bool]] = {}
    for job in jobs:
        made.setdefault(job.capability, []).append(not job.failed)
    return {cap: _part("reliability", sum(ok), len(ok), rules).value for cap, ok in made.items()}


_HINTS = {
    "quality": "Check parts before they ship: {bad} of your last {n} jobs did not pass quality "
    "control.",
    "punctuality": "Plan your calendar so parts ship on time: {bad} of your last {n} jobs were "
    "late.",
    "reliability": "Accept only jobs your machines can make: {bad} of your last {n} jobs failed.",
    "response": "Answer offers within {hours:g} hours: {bad} of your last {n} offers were answered "
    "later or not at all.",
    "acceptance": "Keep your machines' materials, colours and calendar up to date, so the offers "
    "you get are ones you take: {bad} of your last {n} offers were declined or left to time out.",
}


def _hint(
    parts: tuple[ScorePart, ...], capabilities: Mapping[str, float], rules: ScoreRules
) -> str:
    if all(p.counted == 0 for p in parts):
        return (
            f"You start at {rules.prior:.2f}; from your first jobs on your own record counts: "
            "answer offers quickly, ship on time and check every part."
        )
    wanting = [p for p in parts if p.good < p.counted]
    if not wanting:
        return "Keep it up: every recent job and offer counted in your favour."
    worst = max(wanting, key=lambda p: (p.weight * (1 - p.value), p.name))
    hint = _HINTS[worst.name].format(
        bad=worst.counted - worst.good, n=worst.counted, hours=rules.response_hours
    )
    weak = sorted(
        cap for cap, value in capabilities.items() if value < DEFAULT_POLICY.min_capability_score
    )
    if weak:
        hint += " Jobs of a kind you keep failing stop coming: " + ", ".join(weak) + "."
    return hint


def score_maker(
    jobs: Iterable[JobOutcome],
    answers: Iterable[OfferAnswer],
    now: float,
    rules: ScoreRules = DEFAULT_RULES,
) -> MakerScore:
    """The Maker Score at ``now`` from the maker's job outcomes and offer answers."""
    done = windowed(jobs, now, rules)
    answered = windowed(answers, now, rules)
    taken = (OfferState.ACCEPTED, OfferState.COUNTERED)
    parts = (
        _part("quality", sum(not j.failed and j.qc_passed for j in done), len(done), rules),
        _part("punctuality", sum(not j.failed and j.on_time for j in done), len(done), rules),
        _part("reliability", sum(not j.failed for j in done), len(done), rules),
        _part(
            "response",
            sum(
                a.state is not OfferState.TIMED_OUT and a.response_hours <= rules.response_hours
                for a in answered
            ),
            len(answered),
            rules,
        ),
        _part("acceptance", sum(a.state in taken for a in answered), len(answered), rules),
    )
    value = sum(p.weight * p.value for p in parts) / sum(p.weight for p in parts)
    capabilities = _capabilities(done, rules)
    return MakerScore(
        min(1.0, max(0.0, value)), parts, capabilities, _hint(parts, capabilities, rules)
    )
