"""Repair an invalid configuration to the nearest valid one, with OR-Tools CP-SAT.

Nearest means fewest changed options first; among those, number options (and text lengths)
move as few steps as possible. Options in ``keep`` (typically the one the user just set) do
not change. The objective is lexicographic, folded into one weighted sum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from c2m.engines.configurator.compile import CompiledTemplate, Domain, text_of_length
from c2m.engines.configurator.complete import configuration_of, conflict_error
from c2m.engines.configurator.model import Configuration, TextOption, Value
from c2m.engines.configurator.search import bits

TIME_LIMIT = 10.0  # seconds; templates that need longer are far beyond a configurator's size


@dataclass(frozen=True, slots=True)
class Repair:
    """The repaired configuration and the options that had to change (template order)."""

    configuration: dict[str, Value]
    changed: tuple[str, ...]
    optimal: bool


def repair(
    compiled: CompiledTemplate, configuration: Configuration, keep: Iterable[str] = ()
) -> Repair:
    """The valid configuration nearest to ``configuration``, never changing ``keep``."""
    # Imported here, the only user: OR-Tools (and pandas) cost the web tier seconds at start.
    from ortools.sat.python import cp_model

    kept = set(keep)
    model = cp_model.CpModel()
    variables = []
    changes: list[cp_model.IntVar] = []
    distances: list[cp_model.IntVar] = []
    for var, domain in enumerate(compiled.domains):
        current = _current_index(domain, configuration)
        allowed = list(bits(compiled.root[var]))
        if domain.name in kept:
            if current is None:
                raise conflict_error(compiled, {domain.name: configuration.get(domain.name, "")})
            allowed = [current] if current in allowed else []
        x = model.new_int_var_from_domain(cp_model.Domain.from_values(allowed), domain.name)
        variables.append(x)
        if current is not None:  # a missing or invalid value changes whatever happens
            change = model.new_bool_var(f"{domain.name} changed")
            model.add(x == current).only_enforce_if(~change)
            changes.append(change)
        if domain.ordered:
            reference = _reference(domain, configuration, current)
            distance = model.new_int_var(0, len(domain.values), f"{domain.name} distance")
            model.add_abs_equality(distance, x - reference)
            distances.append(distance)
    for table in compiled.network.tables:
        model.add_allowed_assignments([variables[v] for v in table.scope], list(table.tuples))
    weight = sum(len(domain.values) for domain in compiled.domains) + 1
    total = cp_model.LinearExpr.sum(changes)
    model.minimize(
        cp_model.LinearExpr.weighted_sum([total, *distances], [weight] + [1] * len(distances))
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = TIME_LIMIT
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise conflict_error(compiled, {name: configuration[name] for name in kept})
    solution = [int(solver.value(x)) for x in variables]
    repaired = configuration_of(compiled, solution, configuration)
    changed = tuple(
        d.name
        for d in compiled.domains
        if d.name not in configuration
        or repaired[d.name] != configuration[d.name]
        or type(repaired[d.name]) is not type(configuration[d.name])
    )
    return Repair(repaired, changed, status == cp_model.OPTIMAL)


def _current_index(domain: Domain, configuration: Configuration) -> int | None:
    if domain.name not in configuration:
        return None
    return domain.index_of(configuration[domain.name])


def _reference(domain: Domain, configuration: Configuration, current: int | None) -> int:
    """Where distance is measured from: the value, the usable part of a bad text, or the default."""
    if current is not None:
        return current
    option = domain.option
    value = configuration.get(domain.name)
    if isinstance(option, TextOption) and isinstance(value, str):
        return len(text_of_length(option, value, min(len(value), option.max_length)))
    return domain.default
