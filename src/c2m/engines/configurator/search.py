"""Constraint propagation and backtracking search over compiled rule tables.

Every option is a variable whose domain is a bitmask of value indices (a Python int, so set
operations on a thousand steps cost one machine-level loop). Every rule is a table of the value
combinations it allows, with one bitmask of tuples per (position, value): keeping a table
generalised-arc-consistent is a handful of AND/OR operations (the Compact-Table idea).
Search is depth-first with full propagation after each decision (MAC), which is exact:
a value is possible iff the search finds a solution containing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, eq=False)
class Table:
    """The combinations of value indices over ``scope`` (option indices) that ``rule`` allows."""

    rule: int
    scope: tuple[int, ...]
    tuples: frozenset[tuple[int, ...]]
    supports: tuple[tuple[int, ...], ...]  # [position][value] -> bitmask of tuple numbers
    everything: int  # bitmask with one bit per tuple

    @classmethod
    def build(
        cls, rule: int, scope: tuple[int, ...], sizes: tuple[int, ...], rows: list[tuple[int, ...]]
    ) -> Table:
        width = (len(rows) + 7) // 8
        supports = []
        for position, size in enumerate(sizes):
            maps = [bytearray(width) for _ in range(size)]
            for number, row in enumerate(rows):
                maps[row[position]][number >> 3] |= 1 << (number & 7)
            supports.append(tuple(int.from_bytes(bits, "little") for bits in maps))
        return cls(rule, scope, frozenset(rows), tuple(supports), (1 << len(rows)) - 1)

    def allows(self, assignment: list[int]) -> bool:
        return tuple(assignment[var] for var in self.scope) in self.tuples


@dataclass(frozen=True, slots=True, eq=False)
class Network:
    """Variables (their full domains) and tables; ``watches[v]`` lists the tables on ``v``."""

    full: tuple[int, ...]
    tables: tuple[Table, ...]
    watches: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, full: tuple[int, ...], tables: Iterable[Table]) -> Network:
        kept = tuple(tables)
        watches: list[list[int]] = [[] for _ in full]
        for number, table in enumerate(kept):
            for var in table.scope:
                watches[var].append(number)
        return cls(full, kept, tuple(tuple(w) for w in watches))

    def without(self, rules: set[int]) -> Network:
        return Network.of(self.full, (t for t in self.tables if t.rule not in rules))


def bits(mask: int) -> Iterator[int]:
    """The indices of the set bits, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


Removals = dict[tuple[int, int], int]  # (var, value) -> rule that removed it


def revise(network: Network, table: Table, domains: list[int]) -> list[int] | None:
    """Make ``table`` arc-consistent: the variables whose domain shrank, None on a wipe-out."""
    valid = table.everything
    full = network.full
    for position, var in enumerate(table.scope):
        domain = domains[var]
        if domain == full[var]:
            continue
        supports = table.supports[position]
        removed = full[var] & ~domain
        if removed.bit_count() < domain.bit_count():
            gone = 0
            for value in bits(removed):
                gone |= supports[value]
            valid &= ~gone
        else:
            kept = 0
            for value in bits(domain):
                kept |= supports[value]
            valid &= kept
        if not valid:
            return None
    changed = []
    for position, var in enumerate(table.scope):
        domain = domains[var]
        supports = table.supports[position]
        narrowed = domain
        for value in bits(domain):
            if not supports[value] & valid:
                narrowed ^= 1 << value
        if narrowed != domain:
            domains[var] = narrowed
            changed.append(var)
    return changed


def propagate(
    network: Network,
    domains: list[int],
    tables: Iterable[int],
    removals: Removals | None = None,
) -> int | None:
    """Reach arc consistency in place; returns None, or the rule that emptied a domain."""
    queue = list(dict.fromkeys(tables))
    queued = set(queue)
    while queue:
        number = queue.pop()
        queued.discard(number)
        table = network.tables[number]
        before = [domains[var] for var in table.scope] if removals is not None else []
        changed = revise(network, table, domains)
        if changed is None:
            return table.rule
        if removals is not None:
            for var, old in zip(table.scope, before, strict=True):
                for value in bits(old & ~domains[var]):
                    removals.setdefault((var, value), table.rule)
        for var in changed:
            for other in network.watches[var]:
                if other != number and other not in queued:
                    queued.add(other)
                    queue.append(other)
    return None


Preference = Callable[[int, int], list[int]]  # (var, domain) -> values in the order to try


def lowest_first(var: int, domain: int) -> list[int]:
    return list(bits(domain))


def solve(
    network: Network,
    domains: list[int],
    prefer: Preference = lowest_first,
    static_order: bool = False,
) -> list[int] | None:
    """A solution (value index per variable) within ``domains``, which must be propagated.

    Variables are taken smallest domain first, or in template order with ``static_order``
    (then the first solution is the greedy-with-lookahead one that ``prefer`` asks for).
    """
    open_vars = [var for var, domain in enumerate(domains) if domain & (domain - 1)]
    if not open_vars:
        return [domain.bit_length() - 1 for domain in domains]
    var = open_vars[0] if static_order else min(open_vars, key=lambda v: domains[v].bit_count())
    for value in prefer(var, domains[var]):
        trial = domains.copy()
        trial[var] = 1 << value
        if propagate(network, trial, network.watches[var]) is None:
            found = solve(network, trial, prefer, static_order)
            if found is not None:
                return found
    return None


def feasible(network: Network, domains: list[int]) -> bool:
    trial = domains.copy()
    return (
        propagate(network, trial, range(len(network.tables))) is None
        and solve(network, trial) is not None
    )


def conflict(network: Network, domains: list[int]) -> tuple[int, ...]:
    """A minimal set of rules that, on their own, leave ``domains`` without a solution.

    Deletion-based: drop each rule in turn and keep it dropped while the rest still conflicts.
    """
    rules = sorted({table.rule for table in network.tables})
    dropped: set[int] = set()
    for rule in rules:
        if not feasible(network.without(dropped | {rule}), domains):
            dropped.add(rule)
    return tuple(rule for rule in rules if rule not in dropped)
