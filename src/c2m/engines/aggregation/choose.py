"""How many models: as asked, the fewest that cover a share of the demand, or the cheapest
once each model has a fixed cost.

Every k tried is a full clustering of all demands, so each point of the coverage curve is the
exact share of demand weight within tolerance of its own model, not an estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from c2m.engines.aggregation.cluster import Clustering, Effort, fit
from c2m.engines.aggregation.cover import Cover
from c2m.engines.aggregation.distance import within_tolerance
from c2m.engines.aggregation.encoded import Encoded
from c2m.engines.aggregation.features import Bools, Features

Progress = Callable[[str, int, int], None]  # (what is being done, steps done, steps in all)
PATIENCE = 3  # more models that did not lower the total cost before the cost search stops


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """With ``k`` models: the weighted share of demand within tolerance, and the mismatch."""

    k: int
    coverage: float
    mismatch: float


@dataclass(frozen=True, eq=False)
class Tried:
    clustering: Clustering
    within: Bools
    point: CurvePoint


class Trials:
    """Clusterings by k, each computed once, reported to ``progress`` as they finish."""

    def __init__(
        self,
        features: Features,
        data: Encoded,
        seed: int,
        effort: Effort,
        progress: Progress,
        planned: int,
        covering: bool,
    ) -> None:
        self.features = features
        self.data = data
        self.seed = seed
        self.effort = effort
        self.progress = progress
        self.planned = planned
        self.cover: Cover | None = None  # set: models chosen to cover, not to mismatch less
        if covering:
            self.cover = Cover(features, data, np.random.default_rng([seed, 0]), effort.sample)
        self.done: dict[int, Tried] = {}

    def at(self, k: int) -> Tried:
        if k not in self.done:
            self.progress(f"clustering into {k} models", len(self.done), self.planned)
            rng = np.random.default_rng([self.seed, k])
            clustering = fit(self.features, self.data, k, rng, self.effort)
            if self.cover is not None:
                clustering = self.cover.best(clustering)
            within = within_tolerance(
                self.features, self.data, clustering.centres, clustering.labels
            )
            weights = self.data.weights
            coverage = float(weights @ within / weights.sum())
            models = int(np.unique(clustering.labels).size)  # a model nobody is nearest to: none
            point = CurvePoint(models, coverage, clustering.total)
            self.done[k] = Tried(clustering, within, point)
            self.planned = max(self.planned, len(self.done))
        return self.done[k]

    def curve(self) -> tuple[CurvePoint, ...]:
        return tuple(self.done[k].point for k in sorted(self.done))


def for_coverage(trials: Trials, target: float, max_k: int) -> tuple[Tried, bool]:
    """The fewest models found to reach ``target``: doubling k, then halving the gap.

    Coverage usually grows with k but is not guaranteed to, and k asked can give fewer models,
    so the answer is the clustering with the fewest models among all those *tried* that reach
    the target; when even ``max_k`` does not, that is returned, unmet.
    """
    low, k = 0, 1
    while trials.at(k).point.coverage < target:
        if k >= max_k:
            return trials.at(k), False
        low, k = k, min(2 * k, max_k)
    high = k
    while high - low > 1:
        middle = (low + high) // 2
        if trials.at(middle).point.coverage >= target:
            high = middle
        else:
            low = middle
    reaching = [t for t in trials.done.values() if t.point.coverage >= target]
    return min(reaching, key=lambda t: (t.point.k, -t.point.coverage)), True


def for_cost(trials: Trials, model_cost: float, max_k: int) -> Tried:
    """The k with the least ``model_cost * k + mismatch``, trying k = 1, 2, ... until the
    total has not improved for a few steps in a row."""
    best, best_k = trials.at(1), 1
    for k in range(2, max_k + 1):
        tried = trials.at(k)
        if _cost(tried, model_cost) < _cost(best, model_cost):
            best, best_k = tried, k
        elif k - best_k >= PATIENCE:
            break
    return best


def for_each(trials: Trials, ks: Iterable[int]) -> None:
    for k in ks:
        trials.at(k)


def _cost(tried: Tried, model_cost: float) -> float:
    return model_cost * tried.point.k + tried.point.mismatch
