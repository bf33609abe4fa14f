"""Distances from demands to models, computed in row chunks so memory stays O(n * k), never
O(n * n); and whether a demand is within tolerance of its model.

A demand is *within tolerance* of a model when every option it asks for that counts for
coverage is: numbers differ by at most their tolerance, choices are at most ``tolerance``
ranks apart (unordered choices, or a tolerance of 0: the same choice).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from c2m.engines.aggregation.encoded import Encoded
from c2m.engines.aggregation.features import Bools, Features, Floats, Ints

CHUNK = 32_768  # demand rows per block: bounds the temporaries at CHUNK * k floats
SLACK = 1e-9  # relative: a difference equal to the tolerance is within it despite rounding


@dataclass(frozen=True, eq=False)
class Centres:
    """Models (or candidate models) as the distance sees them: number values and choice codes."""

    numbers: Floats  # (k, number features)
    codes: Ints  # (k, choice features)

    @property
    def size(self) -> int:
        return int(self.numbers.shape[0])

    def take(self, model: int) -> Centres:
        return Centres(self.numbers[model : model + 1], self.codes[model : model + 1])


def centres_of(features: Features, configs: Sequence[Sequence[int]]) -> Centres:
    """Centres of full configurations given as value indices per template option."""
    numbers = np.array(
        [[f.grid[config[f.var]] for f in features.numbers] for config in configs],
        dtype=np.float64,
    ).reshape(len(configs), len(features.numbers))
    codes = np.array(
        [[config[f.var] for f in features.choices] for config in configs], dtype=np.intp
    ).reshape(len(configs), len(features.choices))
    return Centres(numbers, codes)


def distances(features: Features, data: Encoded, centres: Centres) -> Floats:
    """(n, k) matrix: the distance from every demand to every centre."""
    out = np.zeros((data.size, centres.size))
    for column, feature in enumerate(features.numbers):
        asked = data.numbers[:, column]
        part = np.abs(asked[:, None] - centres.numbers[None, :, column])
        part *= feature.per_unit
        if feature.cap_cost is not None:
            np.minimum(part, feature.cap_cost, out=part)
        open_ = np.isnan(asked)
        if open_.any():
            part[open_] = 0.0
        out += part
    for column, choice in enumerate(features.choices):
        out += choice.table[:, centres.codes[:, column]][data.codes[:, column]]
    return out


def blocks(data: Encoded) -> Iterator[Ints]:
    """Row indices of the demands, CHUNK at a time."""
    for start in range(0, data.size, CHUNK):
        yield np.arange(start, min(start + CHUNK, data.size))


def nearest(features: Features, data: Encoded, centres: Centres) -> tuple[Ints, Floats]:
    """Each demand's nearest centre (lowest index on ties) and its distance."""
    labels = np.empty(data.size, dtype=np.intp)
    best = np.empty(data.size)
    for rows in blocks(data):
        block = distances(features, data.take(rows), centres)
        labels[rows] = np.argmin(block, axis=1)
        best[rows] = block[np.arange(rows.size), labels[rows]]
    return labels, best


def within_each(features: Features, data: Encoded, centres: Centres) -> Bools:
    """(n, k) matrix: whether each demand is within tolerance of each centre."""
    return _within(
        features,
        (data.numbers[:, None, :], data.codes[:, None, :]),
        (centres.numbers[None], centres.codes[None]),
    )


def within_tolerance(features: Features, data: Encoded, centres: Centres, labels: Ints) -> Bools:
    """Whether each demand is within tolerance of the centre it is assigned to."""
    return _within(
        features, (data.numbers, data.codes), (centres.numbers[labels], centres.codes[labels])
    )


def _within(features: Features, asked: tuple[Floats, Ints], made: tuple[Floats, Ints]) -> Bools:
    """Demand values against model values, broadcast (the last axis is the feature)."""
    shape = np.broadcast_shapes(asked[0].shape[:-1], made[0].shape[:-1])
    out = np.ones(shape, dtype=bool)
    for column, feature in enumerate(features.numbers):
        if feature.in_coverage:
            gap = np.abs(asked[0][..., column] - made[0][..., column])
            out &= ~(gap > feature.tolerance * (1 + SLACK))  # NaN (not asked) is within
    for column, choice in enumerate(features.choices):
        if choice.in_coverage:
            codes = asked[1][..., column]
            gap = np.abs(choice.rank[codes] - choice.rank[made[1][..., column]])
            out &= (codes == choice.missing) | (gap <= choice.tolerance)
    return out
