"""Pool personal demands into a few centralized models: the engine's one entry point."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import ceil, isfinite, log2

import numpy as np

from c2m.engines.aggregation.choose import (
    CurvePoint,
    Progress,
    Trials,
    Tried,
    for_cost,
    for_coverage,
    for_each,
)
from c2m.engines.aggregation.cluster import Effort
from c2m.engines.aggregation.demand import Demand
from c2m.engines.aggregation.encoded import encode
from c2m.engines.aggregation.features import Features, features_of
from c2m.engines.aggregation.projection import demand_map
from c2m.engines.aggregation.report import Aggregation, Model
from c2m.engines.aggregation.spec import AggregationSpec
from c2m.engines.configurator.complete import configuration_of

MAX_K = 50


class AggregationError(ValueError):
    """The request itself cannot be answered (no demands, a k out of range...)."""


def _quiet(what: str, done: int, total: int) -> None:
    """Progress goes nowhere unless someone listens."""


def aggregate(
    spec: AggregationSpec,
    demands: Sequence[Demand],
    *,
    k: int | None = None,
    coverage: float | None = None,
    model_cost: float | None = None,
    max_k: int = MAX_K,
    seed: int = 0,
    effort: Effort = Effort(),
    progress: Progress = _quiet,
) -> Aggregation:
    """Cluster ``demands`` into valid models: ``k`` of them, the fewest (up to ``max_k``)
    covering the share ``coverage`` of the demand weight, or the number that minimises
    ``model_cost * models + total mismatch``. Same inputs and seed: same answer.
    """
    if sum(x is not None for x in (k, coverage, model_cost)) != 1:
        raise AggregationError("Give exactly one of k, coverage or model_cost.")
    if not demands:
        raise AggregationError("There are no demands to aggregate.")
    limit = min(max_k, len(demands))
    if limit < 1:
        raise AggregationError("max_k must be at least 1.")
    features = features_of(spec)
    data = encode(features, demands)
    planned = 1 if k is not None else 2 * ceil(log2(limit)) + 1
    trials = Trials(features, data, seed, effort, progress, planned, coverage is not None)
    met = None
    if k is not None:
        if not 1 <= k <= len(demands):
            raise AggregationError(f"k must be between 1 and {len(demands)}, the demands given.")
        chosen = trials.at(k)
    elif coverage is not None:
        if not 0 < coverage <= 1:
            raise AggregationError("The coverage target is a share between 0 and 1.")
        chosen, met = for_coverage(trials, coverage, limit)
    else:
        assert model_cost is not None
        if not isfinite(model_cost) or model_cost < 0:
            raise AggregationError("The cost of a model must be a finite number >= 0.")
        chosen = for_cost(trials, model_cost, limit)
    progress("drawing the map", len(trials.done), len(trials.done) + 1)
    return _report(spec, features, tuple(demands), trials, chosen, met, seed)


def coverage_curve(
    spec: AggregationSpec,
    demands: Sequence[Demand],
    ks: Iterable[int],
    *,
    seed: int = 0,
    effort: Effort = Effort(),
    progress: Progress = _quiet,
) -> tuple[CurvePoint, ...]:
    """Coverage and mismatch for each k in ``ks``, each from its own clustering, with the
    models moved to cover more as for a coverage target."""
    wanted = sorted(set(ks))
    if not wanted or wanted[0] < 1 or wanted[-1] > len(demands):
        raise AggregationError(f"Each k must be between 1 and {len(demands)}.")
    features = features_of(spec)
    data = encode(features, demands)
    trials = Trials(features, data, seed, effort, progress, len(wanted), covering=True)
    for_each(trials, wanted)
    return trials.curve()


def _report(
    spec: AggregationSpec,
    features: Features,
    demands: tuple[Demand, ...],
    trials: Trials,
    chosen: Tried,
    met: bool | None,
    seed: int,
) -> Aggregation:
    clustering = chosen.clustering
    data = trials.data
    weights = data.weights
    count = len(clustering.configs)
    members = np.bincount(clustering.labels, minlength=count)
    kept = np.flatnonzero(members)  # a model nobody is nearest to is no model
    renumber = np.full(count, -1)
    renumber[kept] = np.arange(kept.size)
    labels = renumber[clustering.labels]
    weight = np.bincount(labels, weights=weights, minlength=kept.size)
    covered = np.bincount(labels, weights=weights * chosen.within, minlength=kept.size)
    mismatch = np.bincount(labels, weights=weights * clustering.distance, minlength=kept.size)
    models = tuple(
        Model(
            index=new,
            configuration=configuration_of(spec.compiled, list(clustering.configs[old]), {}),
            demands=int(members[old]),
            weight=float(weight[new]),
            covered_weight=float(covered[new]),
            mismatch=float(mismatch[new]),
        )
        for new, old in enumerate(kept)
    )
    return Aggregation(
        spec=spec,
        features=features,
        demands=demands,
        models=models,
        labels=labels,
        distances=clustering.distance,
        within=chosen.within,
        coverage=chosen.point.coverage,
        mismatch=clustering.total,
        curve=trials.curve(),
        map=demand_map(features, data, clustering.centres, clustering.labels, seed),
        target_met=met,
    )
