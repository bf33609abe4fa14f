"""What each value of each option would cost a group of demands if their model took it.

Because the distance is a sum over options, these per-value costs are all a model's centring
needs (:mod:`c2m.engines.aggregation.optimum` then picks the cheapest valid combination).
For a number option they are computed exactly for every step of the option from prefix sums of
the sorted asked values, O(n log n) per option, whatever the number of steps.
"""

from __future__ import annotations

import numpy as np

from c2m.engines.aggregation.encoded import Encoded
from c2m.engines.aggregation.features import ChoiceFeature, Features, Floats, Ints, NumberFeature


def value_costs(features: Features, data: Encoded, labels: Ints, k: int) -> list[list[Floats]]:
    """``[cluster][template option]`` -> cost of each of the option's values for that cluster;
    options that are not pooled cost nothing whatever their value."""
    domains = features.compiled.domains
    tables = [[np.zeros(len(domain.values)) for domain in domains] for _ in range(k)]
    for column, feature in enumerate(features.numbers):
        per_cluster = _number_costs(feature, data.numbers[:, column], data.weights, labels, k)
        for cluster in range(k):
            tables[cluster][feature.var] = per_cluster[cluster]
    for column, choice in enumerate(features.choices):
        per_cluster = _choice_costs(choice, data.codes[:, column], data.weights, labels, k)
        for cluster in range(k):
            tables[cluster][choice.var] = per_cluster[cluster]
    return tables


def _choice_costs(
    choice: ChoiceFeature, codes: Ints, weights: Floats, labels: Ints, k: int
) -> Floats:
    rows = choice.table.shape[0]
    counts = np.bincount(labels * rows + codes, weights=weights, minlength=k * rows)
    return counts.reshape(k, rows) @ choice.table


def _number_costs(
    feature: NumberFeature, values: Floats, weights: Floats, labels: Ints, k: int
) -> Floats:
    """sum of weight * min(|value - g|, cap * tolerance) per cluster and grid value g.

    With W and S the weight and weighted sum of the values below a point, the uncapped sum at g
    is g*W(g) - S(g) + (S - S(g)) - g*(total W - W(g)); the cap subtracts the parts beyond
    g +/- reach, which are the same kind of one-sided sums.
    """
    asked = ~np.isnan(values)
    values, weights, labels = values[asked], weights[asked], labels[asked]
    order = np.lexsort((values, labels))
    values, weights, labels = values[order], weights[order], labels[order]
    starts = np.searchsorted(labels, np.arange(k + 1))
    cum_w = np.concatenate(([0.0], np.cumsum(weights)))
    cum_s = np.concatenate(([0.0], np.cumsum(weights * values)))
    grid = feature.grid
    out = np.zeros((k, grid.size))
    for cluster in range(k):
        low, high = int(starts[cluster]), int(starts[cluster + 1])
        if low == high:
            continue
        sums = _Sums(values[low:high], cum_w[low : high + 1], cum_s[low : high + 1])
        w_below, s_below = sums.below(grid)
        cost = grid * w_below - s_below + (sums.s - s_below) - grid * (sums.w - w_below)
        if feature.cap is not None:
            reach = feature.cap * feature.tolerance
            w_near, s_near = sums.below(grid + reach)
            cost -= (sums.s - s_near) - (grid + reach) * (sums.w - w_near)
            w_far, s_far = sums.below(grid - reach)
            cost -= (grid - reach) * w_far - s_far
        out[cluster] = np.maximum(cost, 0.0) * feature.per_unit
    return out


class _Sums:
    """Sorted values of one cluster with cumulative weights and weighted sums."""

    def __init__(self, values: Floats, cum_w: Floats, cum_s: Floats) -> None:
        self.values = values
        self.cum_w = cum_w - cum_w[0]
        self.cum_s = cum_s - cum_s[0]
        self.w = float(self.cum_w[-1])
        self.s = float(self.cum_s[-1])

    def below(self, points: Floats) -> tuple[Floats, Floats]:
        """Weight and weighted sum of the values strictly below each point."""
        at = np.searchsorted(self.values, points)
        return self.cum_w[at], self.cum_s[at]
