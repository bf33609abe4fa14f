"""k valid models for a set of demands: the weighted k-median problem under the mixed distance.

Seeding is greedy k-means++ for medians (a few candidates drawn in proportion to how badly each
demand is served, the best one kept). Alternation (Lloyd) assigns every demand to its nearest
model and re-centres every model on the cheapest *valid* configuration for its demands, which
never increases the total mismatch. Swaps then try to move one model onto a badly served
demand, judged for all k models at once from the nearest and second-nearest distances (the
FasterPAM idea), and keep a swap only when the re-centred result is cheaper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import log

import numpy as np

from c2m.engines.aggregation.costs import value_costs
from c2m.engines.aggregation.distance import Centres, blocks, centres_of, distances, nearest
from c2m.engines.aggregation.encoded import Encoded
from c2m.engines.aggregation.features import Bools, Features, Floats, Ints
from c2m.engines.aggregation.optimum import cheap_valid, cheapest_valid

Config = tuple[int, ...]  # value index per template option
MAX_ROUNDS = 100
IMPROVED = 1e-9  # relative decrease that counts as progress
PROMISING = 0.003  # a swap predicted this close is worth re-centring: re-centring gains more


@dataclass(frozen=True, slots=True)
class Effort:
    """How hard to search: independent seedings, swap candidates per model, and how many
    demands (drawn at random) the search sees before the result is polished on all of them."""

    starts: int = 2
    swaps: int = 3
    sample: int = 20_000


@dataclass(frozen=True, eq=False)
class Clustering:
    """Models (valid configurations), each demand's nearest model and its distance."""

    configs: tuple[Config, ...]
    centres: Centres
    labels: Ints
    distance: Floats
    total: float


def fit(
    features: Features,
    data: Encoded,
    k: int,
    rng: np.random.Generator,
    effort: Effort,
) -> Clustering:
    """A local optimum with ``k`` models (fewer only if the demands hold fewer distinct needs):
    the best of ``effort.starts`` seedings, each alternated to convergence, then swaps; on a
    sample when there are many demands, then alternated on all of them."""
    seen = data.sample(effort.sample, rng)
    best: Clustering | None = None
    for _ in range(effort.starts):
        clustering = lloyd(features, seen, _seed(features, seen, k, rng))
        if best is None or clustering.total < best.total:
            best = clustering
    assert best is not None
    best = improve(features, seen, best, rng, effort.swaps * k)
    return best if seen is data else lloyd(features, data, best.configs)


def lloyd(features: Features, data: Encoded, configs: Sequence[Config]) -> Clustering:
    """Alternate assignment and re-centring until the total mismatch stops falling."""
    current = assigned(features, data, tuple(configs))
    changed = np.ones(len(configs), dtype=bool)
    for _ in range(MAX_ROUNDS):
        moved = assigned(features, data, _recentred(features, data, current, changed))
        if moved.total >= current.total - IMPROVED * max(current.total, 1.0):
            break
        changed = _membership_changed(current.labels, moved.labels, len(configs))
        current = moved
    return current


def _membership_changed(before: Ints, after: Ints, k: int) -> Bools:
    """Models that gained or lost a demand: only they need re-centring."""
    moved = before != after
    changed = np.zeros(k, dtype=bool)
    changed[before[moved]] = True
    changed[after[moved]] = True
    return changed


def improve(
    features: Features,
    data: Encoded,
    clustering: Clustering,
    rng: np.random.Generator,
    trials: int,
) -> Clustering:
    """Eager swaps: up to ``trials`` candidates, each tried against every model at once."""
    k = len(clustering.configs)
    if k < 2 or clustering.total <= 0:
        return clustering
    current = clustering
    second = _second_nearest(features, data, current)
    for _ in range(trials):
        served = data.weights * current.distance
        if served.sum() <= 0:
            break
        candidate = nearest_valid(
            features, data, int(rng.choice(data.size, p=served / served.sum()))
        )
        to_candidate = distances(features, data, centres_of(features, [candidate]))[:, 0]
        kept = np.minimum(to_candidate, current.distance)
        lost = np.minimum(to_candidate, second) - kept
        change = np.bincount(current.labels, weights=data.weights * lost, minlength=k)
        removed = int(np.argmin(change))
        predicted = float(data.weights @ kept + change[removed])
        if predicted >= current.total * (1 + PROMISING):
            continue
        configs = list(current.configs)
        configs[removed] = candidate
        trial = lloyd(features, data, configs)
        if trial.total < current.total - IMPROVED * current.total:
            current = trial
            second = _second_nearest(features, data, current)
    return current


def assigned(features: Features, data: Encoded, configs: tuple[Config, ...]) -> Clustering:
    centres = centres_of(features, configs)
    labels, distance = nearest(features, data, centres)
    return Clustering(configs, centres, labels, distance, float(data.weights @ distance))


def _recentred(
    features: Features, data: Encoded, current: Clustering, changed: Bools
) -> tuple[Config, ...]:
    """Each ``changed`` model moved to the cheapest valid configuration for its demands; a
    model left without demands moves to the worst-served demand instead."""
    k = len(current.configs)
    tables = value_costs(features, data, current.labels, k)
    members = np.bincount(current.labels, minlength=k)
    served = data.weights * current.distance
    configs = []
    for cluster, (old, costs) in enumerate(zip(current.configs, tables, strict=True)):
        if members[cluster] == 0:
            worst = int(np.argmax(served))
            served[worst] = 0.0
            configs.append(nearest_valid(features, data, worst))
            continue
        if not changed[cluster]:
            configs.append(old)
            continue
        found = cheapest_valid(features.compiled, costs)
        old_cost = sum(float(cost[value]) for cost, value in zip(costs, old, strict=True))
        configs.append(found.values if found.cost <= old_cost else old)
    return tuple(configs)


def nearest_valid(features: Features, data: Encoded, row: int) -> Config:
    """A valid configuration near one demand (defaults where it asks nothing); the re-centring
    that follows makes it exact for the demands it attracts."""
    labels = np.zeros(1, dtype=np.intp)
    costs = value_costs(features, data.take(np.array([row])), labels, 1)[0]
    return cheap_valid(features.compiled, costs)


def _second_nearest(features: Features, data: Encoded, clustering: Clustering) -> Floats:
    matrix = np.empty((data.size, len(clustering.configs)))
    for rows in blocks(data):
        matrix[rows] = distances(features, data.take(rows), clustering.centres)
    matrix[np.arange(data.size), clustering.labels] = np.inf
    second: Floats = np.min(matrix, axis=1)
    return second


def _seed(features: Features, data: Encoded, k: int, rng: np.random.Generator) -> list[Config]:
    """Greedy k-means++ for medians: the 1-median, then the best of a few drawn candidates."""
    whole = value_costs(features, data, np.zeros(data.size, dtype=np.intp), 1)[0]
    configs = [cheapest_valid(features.compiled, whole).values]
    closest = distances(features, data, centres_of(features, configs))[:, 0]
    draws = 2 + int(log(k))
    for _ in range(3 * k):
        if len(configs) == k:
            break
        served = data.weights * closest
        if served.sum() <= 0:
            break
        rows = rng.choice(data.size, size=draws, p=served / served.sum())
        best: tuple[float, Config, Floats] | None = None
        for row in rows:
            config = nearest_valid(features, data, int(row))
            reach = np.minimum(
                closest, distances(features, data, centres_of(features, [config]))[:, 0]
            )
            total = float(data.weights @ reach)
            if best is None or total < best[0]:
                best = (total, config, reach)
        assert best is not None
        if best[1] in configs:
            continue  # the demands drawn are served exactly by a model already
        configs.append(best[1])
        closest = best[2]
    return configs
