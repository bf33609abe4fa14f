"""The cheapest valid configuration when the cost is a sum of one cost per option value.

This is how a model is centred on its demands: every option value has a cost (the mismatch
it causes the demands of the cluster), and the template's rules must hold. Exact branch and
bound on the configurator's own constraint network: a greedy valid configuration gives an
upper bound that removes every value too expensive to be part of a better one, then a
depth-first search with propagation and the sum of per-option minima as lower bound finishes
the job. Usually the per-option optimum is valid already and no search happens at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from c2m.engines.aggregation.features import Bools, Floats, Ints
from c2m.engines.configurator import CompiledTemplate
from c2m.engines.configurator.search import Table, bits, propagate, solve

NODE_LIMIT = 20_000  # searches that need more return the best configuration found so far
EPSILON = 1e-9  # relative: costs that close are equal, so ties never reopen the search


@dataclass(frozen=True, slots=True)
class Cheapest:
    values: tuple[int, ...]  # value index per template option
    cost: float
    optimal: bool
    orders: list[list[int]] = field(repr=False, compare=False)  # allowed values, cheapest first


def cheapest_valid(compiled: CompiledTemplate, costs: Sequence[Floats]) -> Cheapest:
    """The valid configuration of least total cost (``costs[option][value index]``).

    Ties go to the option's default, then to the value nearest to it.
    """
    start = _greedy(compiled, costs)
    if start.optimal:
        return start
    network = compiled.network
    best = _Search(compiled, costs, start)
    cheapest = [float(cost[order[0]]) for cost, order in zip(costs, best.orders, strict=True)]
    slack = best.cost - sum(cheapest) + best.margin  # no option can cost more above its cheapest
    domains = [
        sum(1 << v for v in order if costs[var][v] <= cheapest[var] + slack)
        for var, order in enumerate(best.orders)
    ]
    for var, watches in enumerate(network.watches):
        if not watches:  # no rule involves it: its cheapest value is always best
            domains[var] = 1 << best.orders[var][0]
    if propagate(network, domains, range(len(network.tables))) is None:
        best.run(domains)
    return Cheapest(tuple(best.values), best.cost, best.nodes < NODE_LIMIT, best.orders)


def cheap_valid(compiled: CompiledTemplate, costs: Sequence[Floats]) -> tuple[int, ...]:
    """A valid configuration of low cost, without proof: each option takes its cheapest value
    still possible, smallest choice first. Good enough to start from."""
    return _greedy(compiled, costs).values


def _greedy(compiled: CompiledTemplate, costs: Sequence[Floats]) -> Cheapest:
    """The per-option optimum when it is valid (then it is optimal), else a greedy one."""
    network = compiled.network
    orders = [_order(compiled, var, cost, compiled.root[var]) for var, cost in enumerate(costs)]
    first = [order[0] for order in orders]
    if all(table.allows(first) for table in network.tables):
        return Cheapest(tuple(first), _total(costs, first), True, orders)

    def by_cost(var: int, domain: int) -> list[int]:
        return [value for value in orders[var] if domain >> value & 1]

    found = solve(network, list(compiled.root), by_cost)
    assert found is not None  # a compiled template always has a valid configuration
    return Cheapest(tuple(found), _total(costs, found), False, orders)


def _order(compiled: CompiledTemplate, var: int, cost: Floats, allowed: int) -> list[int]:
    """Allowed value indices, cheapest first, ties by nearness to the default."""
    domain = compiled.domains[var]
    indices = np.array(list(bits(allowed)), dtype=np.intp)
    away = np.abs(indices - domain.default) if domain.ordered else indices != domain.default
    return [int(v) for v in indices[np.lexsort((indices, away, cost[indices]))]]


def _total(costs: Sequence[Floats], values: Sequence[int]) -> float:
    return float(sum(cost[value] for cost, value in zip(costs, values, strict=True)))


class _Search:
    """Depth-first branch and bound; keeps the best complete configuration seen.

    The lower bound of a node is, for a few rules with disjoint options, the cheapest row of
    the rule's table still allowed, plus the cheapest value of every other option: it sees the
    conflicts those rules create (a slim fit wanting the waist 100 mm under the chest).
    """

    def __init__(self, compiled: CompiledTemplate, costs: Sequence[Floats], start: Cheapest):
        self.compiled = compiled
        self.costs = costs
        self.orders = start.orders
        self.values = list(start.values)
        self.cost = start.cost
        self.nodes = 0
        self.groups: list[tuple[tuple[int, ...], Ints, Floats]] = []
        grouped: set[int] = set()
        for table in sorted(compiled.network.tables, key=lambda t: -len(t.scope)):
            if len(table.scope) > 1 and grouped.isdisjoint(table.scope):
                rows = _rows(table)
                row_cost = sum(costs[var][rows[:, at]] for at, var in enumerate(table.scope))
                self.groups.append((table.scope, rows, np.asarray(row_cost, dtype=np.float64)))
                grouped.update(table.scope)
        self.alone = [var for var in range(len(costs)) if var not in grouped]

    @property
    def margin(self) -> float:
        return EPSILON * max(1.0, abs(self.cost))

    def cheapest_in(self, var: int, domain: int) -> float:
        return float(self.costs[var][next(v for v in self.orders[var] if domain >> v & 1)])

    def bound(self, domains: list[int]) -> float:
        total = sum(self.cheapest_in(var, domains[var]) for var in self.alone)
        for scope, rows, row_cost in self.groups:
            allowed = np.ones(rows.shape[0], dtype=bool)
            for at, var in enumerate(scope):
                allowed &= _members(domains[var], len(self.costs[var]))[rows[:, at]]
            if not allowed.any():
                return float("inf")
            total += float(row_cost[allowed].min())
        return total

    def run(self, domains: list[int]) -> None:
        self.nodes += 1
        lower = self.bound(domains)
        if self.nodes >= NODE_LIMIT or lower >= self.cost - self.margin:
            return
        open_vars = [var for var, domain in enumerate(domains) if domain & (domain - 1)]
        if not open_vars:
            self.values = [domain.bit_length() - 1 for domain in domains]
            self.cost = _total(self.costs, self.values)
            return
        var = min(open_vars, key=lambda v: domains[v].bit_count())
        cost = self.costs[var]
        alone = var in self.alone
        others = lower - self.cheapest_in(var, domains[var])
        network = self.compiled.network
        for value in self.orders[var]:
            if alone and others + float(cost[value]) >= self.cost - self.margin:
                break  # values come cheapest first: none of the rest can do better
            if not domains[var] >> value & 1:
                continue
            trial = domains.copy()
            trial[var] = 1 << value
            if propagate(network, trial, network.watches[var]) is None:
                self.run(trial)


@lru_cache(maxsize=256)
def _rows(table: Table) -> Ints:
    """A rule's allowed value combinations as an array, one row each."""
    return np.array(sorted(table.tuples), dtype=np.intp).reshape(-1, len(table.scope))


def _members(domain: int, size: int) -> Bools:
    """The domain's bitmask as booleans over the option's values."""
    packed = np.frombuffer(domain.to_bytes((size + 7) // 8, "little"), dtype=np.uint8)
    return np.unpackbits(packed, bitorder="little")[:size].astype(bool)
