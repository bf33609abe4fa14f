"""A flat map of the demands for the owner's picture: principal components of the space the
distance measures in (numbers in tolerances, choices as weighted indicators, ordered choices
as weighted ranks). An option a demand leaves open is placed at its model's value."""

from __future__ import annotations

import numpy as np

from c2m.engines.aggregation.distance import Centres
from c2m.engines.aggregation.encoded import Encoded
from c2m.engines.aggregation.features import Features, Floats, Ints
from c2m.engines.aggregation.report import DemandMap

FIT_ROWS = 20_000  # demands the components are computed from; all are projected


def demand_map(
    features: Features, data: Encoded, centres: Centres, labels: Ints, seed: int
) -> DemandMap:
    points = _embedded(features, data.numbers, data.codes, centres, labels)
    models = _embedded(features, centres.numbers, centres.codes, centres, np.arange(centres.size))
    rows = np.arange(data.size)
    if data.size > FIT_ROWS:
        rows = np.random.default_rng(seed).choice(data.size, size=FIT_ROWS, replace=False)
    middle = points[rows].mean(axis=0)
    _, _, axes = np.linalg.svd(points[rows] - middle, full_matrices=False)
    plane = np.zeros((points.shape[1], 2))
    plane[:, : min(2, axes.shape[0])] = axes[:2].T
    flat, flat_models = (points - middle) @ plane, (models - middle) @ plane
    return DemandMap(flat[:, 0], flat[:, 1], flat_models[:, 0], flat_models[:, 1])


def _embedded(
    features: Features, numbers: Floats, codes: Ints, centres: Centres, labels: Ints
) -> Floats:
    columns = []
    for column, number in enumerate(features.numbers):
        asked = numbers[:, column]
        values = np.where(np.isnan(asked), centres.numbers[labels, column], asked)
        columns.append(values[:, None] * number.per_unit)
    for column, choice in enumerate(features.choices):
        open_ = codes[:, column] == choice.missing
        asked = np.where(open_, centres.codes[labels, column], codes[:, column])
        if choice.ordered:
            columns.append(choice.rank[asked][:, None] * choice.step)
        else:  # two indicator rows differ by 2 in L1: half the step each
            columns.append(np.eye(choice.missing)[asked] * (choice.step / 2))
    return np.hstack(columns) if columns else np.zeros((numbers.shape[0], 1))
