"""Models that cover more: when a coverage target is asked for, what counts is how much demand
is within tolerance, not the total mismatch the clustering minimised.

Two starts are refined and the one covering more is kept: the least-mismatch models, and a
greedy maximum-coverage choice (each next model the candidate within tolerance of the most
demand not yet covered). Refining offers each model in turn a few valid configurations made
from its own demands (drawn by weight, so dense regions come first); the one within tolerance
of most of the model's demands is tried, every demand is reassigned to its *nearest* model, and
the move is kept only if the covered share of all demand grew. Coverage never falls; mismatch
may rise, and is reported as it is. With many demands this runs on a sample and a result is
kept only if it also covers more of all of them.
"""

from __future__ import annotations

import numpy as np

from c2m.engines.aggregation.cluster import Clustering, Config, assigned, nearest_valid
from c2m.engines.aggregation.distance import centres_of, within_each, within_tolerance
from c2m.engines.aggregation.encoded import Encoded
from c2m.engines.aggregation.features import Features

CANDIDATES = 24  # configurations offered to one model per round
CANDIDATES_IN_ALL = 2_000  # candidate models for the greedy maximum-coverage start
BLOCK = 128  # candidates tested against all demands at once: bounds the temporaries
ROUNDS = 3


def covered_weight(features: Features, data: Encoded, clustering: Clustering) -> float:
    within = within_tolerance(features, data, clustering.centres, clustering.labels)
    return float(data.weights @ within)


class Cover:
    """Models chosen to cover demand, for any k: a greedy maximum-coverage order of candidate
    models (valid configurations near sampled demands), each adding the most demand not yet
    within tolerance of an earlier one, computed once and cut at k; plus refinement."""

    def __init__(
        self, features: Features, data: Encoded, rng: np.random.Generator, sample: int
    ) -> None:
        self.features = features
        self.data = data
        self.rng = rng
        self.seen = data.sample(sample, rng)
        drawn = rng.choice(
            self.seen.size, size=min(CANDIDATES_IN_ALL, self.seen.size), replace=False
        )
        configs = list(dict.fromkeys(nearest_valid(features, self.seen, int(row)) for row in drawn))
        self.configs = configs
        self.covers = np.empty((len(configs), self.seen.size), dtype=bool)
        for start in range(0, len(configs), BLOCK):
            block = configs[start : start + BLOCK]
            self.covers[start : start + len(block)] = within_each(
                features, self.seen, centres_of(features, block)
            ).T
        self.gains = np.array([self.seen.weights[row].sum() for row in self.covers])
        self.order: list[int] = []
        self.left = np.ones(self.seen.size, dtype=bool)

    def greedy(self, k: int) -> tuple[Config, ...]:
        while len(self.order) < min(k, len(self.configs)):
            best = int(np.argmax(self.gains))
            self.order.append(best)
            newly = np.flatnonzero(self.left & self.covers[best])
            self.left[newly] = False
            self.gains -= self.covers[:, newly] @ self.seen.weights[newly]
            self.gains[self.order] = -1.0
        return tuple(self.configs[j] for j in self.order[:k])

    def best(self, clustering: Clustering) -> Clustering:
        """The better covering of: ``clustering`` refined, the greedy models refined."""
        k = len(clustering.configs)
        starts = (clustering, assigned(self.features, self.data, self.greedy(k)))
        found = [self.refined(start) for start in starts]
        return max(found, key=lambda c: covered_weight(self.features, self.data, c))

    def refined(self, clustering: Clustering) -> Clustering:
        """``clustering`` with models moved to cover more demand, if that covers more of all."""
        start = assigned(self.features, self.seen, clustering.configs)
        better = raise_coverage(self.features, self.seen, start, self.rng)
        if better is start:
            return clustering
        final = (
            better if self.seen is self.data else assigned(self.features, self.data, better.configs)
        )
        before = covered_weight(self.features, self.data, clustering)
        return final if covered_weight(self.features, self.data, final) > before else clustering


def raise_coverage(
    features: Features, data: Encoded, clustering: Clustering, rng: np.random.Generator
) -> Clustering:
    """Models moved one at a time while that covers more of ``data``; the same object back
    when no move helped."""
    current = clustering
    covered = covered_weight(features, data, current)
    for _ in range(ROUNDS):
        moved = False
        for model in range(len(current.configs)):
            members = np.flatnonzero(current.labels == model)
            if members.size == 0:
                continue
            mine = data.take(members)
            within = within_each(features, mine, current.centres.take(model))[:, 0]
            if within.all():
                continue
            share = mine.weights / mine.weights.sum()
            drawn = rng.choice(members.size, size=min(CANDIDATES, members.size), p=share)
            offered = list(dict.fromkeys(nearest_valid(features, mine, int(r)) for r in drawn))
            gained = mine.weights @ within_each(features, mine, centres_of(features, offered))
            if gained.max() <= mine.weights @ within:
                continue
            configs = list(current.configs)
            configs[model] = offered[int(np.argmax(gained))]
            trial = assigned(features, data, tuple(configs))
            trial_covered = covered_weight(features, data, trial)
            if trial_covered > covered:
                current, covered, moved = trial, trial_covered, True
        if not moved:
            break
    return current
