"""What is still possible: for every open option, the values that some valid configuration
extending the choices so far can take, and for the others the rules that exclude them; for a
chosen option, the same with its own choice left out (what it could be changed to).

Exact and fast: the rules are propagated once from the choices (which removes most impossible
values and names the rule that removed each), then every remaining value needs a *witness*, a
full valid configuration containing it. One search finds a witness for many values at once
(its value order favours values still without one); a value often has a witness already by
substituting it into an earlier one (only the rules on that option are re-checked); only the
rest needs its own search, which either finds a new witness or proves the value impossible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import groupby

from c2m.engines.configurator.compile import CompiledTemplate, Domain
from c2m.engines.configurator.model import Configuration, Value
from c2m.engines.configurator.search import (
    Preference,
    Removals,
    bits,
    conflict,
    lowest_first,
    propagate,
    solve,
)
from c2m.engines.configurator.validate import OUT_OF_RANGE, UNKNOWN, ConfigurationError, Violation

Why = tuple[tuple[str, ...], str]  # (rule ids, sentence)
TOGETHER = "No valid configuration has this together with the choices made so far."


@dataclass(frozen=True, slots=True)
class Span:
    """Allowed values from ``first`` to ``last`` (the same value for choices and yes/no)."""

    first: Value
    last: Value


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Values from ``first`` to ``last`` that cannot be chosen, and the rules that say so."""

    first: Value
    last: Value
    rule_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class OptionState:
    option: str
    chosen: Value | None
    allowed: tuple[Span, ...]
    excluded: tuple[Exclusion, ...]
    mask: int = field(repr=False)  # bit i set: the option's i-th value is allowed


@dataclass(frozen=True)
class Possibilities:
    """The state of every option; ``conflict`` names the rules when the choices clash."""

    consistent: bool
    options: tuple[OptionState, ...]
    conflict: tuple[str, ...]
    compiled: CompiledTemplate = field(repr=False, compare=False)

    def state(self, option: str) -> OptionState:
        return self.options[self.compiled.index[option]]

    def allows(self, option: str, value: Value) -> bool:
        index = self.compiled.domains[self.compiled.index[option]].index_of(value)
        return index is not None and bool(self.state(option).mask >> index & 1)


def choice_domains(compiled: CompiledTemplate, choices: Configuration) -> list[int]:
    """Full domains with each chosen option narrowed to its value (bad choices are refused)."""
    domains = list(compiled.network.full)
    problems = []
    for name, value in choices.items():
        if name not in compiled.index:
            problems.append(Violation(UNKNOWN, f"{name!r} is not an option.", (name,)))
            continue
        var = compiled.index[name]
        index = compiled.domains[var].index_of(value)
        if index is None:
            problems.append(Violation(OUT_OF_RANGE, f"{value!r} is not a valid {name}.", (name,)))
        else:
            domains[var] = 1 << index
    if problems:
        raise ConfigurationError(tuple(problems))
    return domains


def possibilities(compiled: CompiledTemplate, choices: Configuration) -> Possibilities:
    """For every option, which values can still be chosen, and why not: for an option in
    ``choices``, the values it could be changed to while the other choices stay."""
    network = compiled.network
    domains = choice_domains(compiled, choices)
    removals: Removals = {}
    failed = propagate(network, domains, range(len(network.tables)), removals)
    witness = None if failed is not None else solve(network, domains)
    if witness is None:
        rules = conflict(network, choice_domains(compiled, choices))
        ids = tuple(compiled.rule_id(rule) for rule in rules)
        states = tuple(_state(compiled, var, choices, 0, {}) for var in range(len(domains)))
        return Possibilities(False, states, ids, compiled)

    support = [1 << value for value in witness]
    witnesses = [witness]

    def unsupported_first(var: int, domain: int) -> list[int]:
        return [*bits(domain & ~support[var]), *bits(domain & support[var])]

    for var in range(len(domains)):
        _cover(compiled, domains, var, support, witnesses, unsupported_first)
    for name in choices:
        var = compiled.index[name]
        support[var] = _alternatives(compiled, choices, var, witnesses, removals)
    states = tuple(
        _state(compiled, var, choices, support[var], removals) for var in range(len(domains))
    )
    return Possibilities(True, states, (), compiled)


def _cover(
    compiled: CompiledTemplate,
    domains: list[int],
    var: int,
    support: list[int],
    witnesses: list[list[int]],
    prefer: Preference = lowest_first,
) -> None:
    """Mark in ``support`` every value of ``var`` within ``domains`` that has a witness."""
    network = compiled.network
    for value in bits(domains[var] & ~support[var]):
        if support[var] >> value & 1:
            continue
        if any(_substitutes(compiled, known, var, value) for known in witnesses):
            support[var] |= 1 << value
            continue
        trial = domains.copy()
        trial[var] = 1 << value
        found = None
        if propagate(network, trial, network.watches[var]) is None:
            found = solve(network, trial, prefer)
        if found is None:
            continue
        witnesses.append(found)
        for other, chosen in enumerate(found):
            support[other] |= 1 << chosen


def _alternatives(
    compiled: CompiledTemplate,
    choices: Configuration,
    var: int,
    witnesses: list[list[int]],
    removals: Removals,
) -> int:
    """The values a chosen option could take instead, keeping the other choices: a shared
    design, where everything is chosen, still shows what each option cannot be changed to.
    Adds to ``removals`` the rule that rules out each of its other values."""
    name = compiled.domains[var].name
    network = compiled.network
    domains = choice_domains(compiled, {k: v for k, v in choices.items() if k != name})
    found: Removals = {}
    propagate(network, domains, range(len(network.tables)), found)  # the choices have a witness
    removals.update((key, rule) for key, rule in found.items() if key[0] == var)
    support = [1 << value for value in witnesses[0]]
    _cover(compiled, domains, var, support, list(witnesses))
    return support[var]


def _substitutes(compiled: CompiledTemplate, witness: list[int], var: int, value: int) -> bool:
    """Does ``witness`` stay valid with ``var`` set to ``value``? Only ``var``'s rules can break."""
    kept = witness[var]
    witness[var] = value
    try:
        tables = compiled.network.tables
        return all(tables[number].allows(witness) for number in compiled.network.watches[var])
    finally:
        witness[var] = kept


def _state(
    compiled: CompiledTemplate,
    var: int,
    choices: Configuration,
    mask: int,
    removals: Mapping[tuple[int, int], int],
) -> OptionState:
    domain = compiled.domains[var]
    watching = sorted({compiled.network.tables[t].rule for t in compiled.network.watches[var]})

    def reason(value: int) -> Why:
        rule = removals.get((var, value))
        if rule is not None:
            return (compiled.rule_id(rule),), compiled.template.rules[rule].message
        return tuple(compiled.rule_id(r) for r in watching), TOGETHER

    chosen = choices.get(domain.name)
    if chosen is not None and not mask:  # clashing choices: nothing to offer instead
        single = Span(chosen, chosen)
        return OptionState(domain.name, chosen, (single,), (), mask)
    allowed = tuple(Span(domain.public[a], domain.public[b]) for a, b, _ in _runs(domain, mask))
    excluded = tuple(
        Exclusion(domain.public[a], domain.public[b], *why)
        for a, b, why in _runs(domain, ~mask & compiled.network.full[var], reason)
    )
    return OptionState(domain.name, chosen, allowed, excluded, mask)


def _no_reason(value: int) -> Why:
    return (), ""


def _runs(
    domain: Domain, mask: int, reason: Callable[[int], Why] = _no_reason
) -> list[tuple[int, int, Why]]:
    """Consecutive indices of ``mask`` with the same reason (numbers), or one per value."""
    indices = list(bits(mask))
    if not domain.ordered:
        return [(i, i, reason(i)) for i in indices]
    runs = []
    for _, group in groupby(
        enumerate(indices), key=lambda pair: (pair[1] - pair[0], reason(pair[1]))
    ):
        members = [i for _, i in group]
        runs.append((members[0], members[-1], reason(members[0])))
    return runs
