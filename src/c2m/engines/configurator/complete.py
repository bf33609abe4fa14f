"""Complete a partial configuration: every open option takes its default when the rules allow,
otherwise the value nearest to it. Options are settled in template order, each with a look-ahead
search, so an early default is never taken if it would leave a later option without any value.
"""

from __future__ import annotations

from c2m.engines.configurator.compile import CompiledTemplate, Domain, text_of_length
from c2m.engines.configurator.domains import choice_domains
from c2m.engines.configurator.model import Configuration, TextOption, Value
from c2m.engines.configurator.search import conflict, propagate, solve
from c2m.engines.configurator.validate import ConfigurationError, Violation


def complete(compiled: CompiledTemplate, choices: Configuration) -> dict[str, Value]:
    """A valid configuration keeping ``choices``; :class:`ConfigurationError` if there is none."""
    network = compiled.network
    domains = choice_domains(compiled, choices)
    orders = [_preference(domain) for domain in compiled.domains]

    def by_default(var: int, domain: int) -> list[int]:
        return [value for value in orders[var] if domain >> value & 1]

    solution = None
    if propagate(network, domains, range(len(network.tables))) is None:
        solution = solve(network, domains, by_default, static_order=True)
    if solution is None:
        raise conflict_error(compiled, choices)
    return configuration_of(compiled, solution, choices)


def conflict_error(compiled: CompiledTemplate, choices: Configuration) -> ConfigurationError:
    """Why ``choices`` cannot be completed: the rules of a minimal conflict, one sentence each."""
    rules = conflict(compiled.network, choice_domains(compiled, choices))
    violations = []
    for rule in rules:
        table = next(t for t in compiled.network.tables if t.rule == rule)
        options = tuple(compiled.domains[var].name for var in table.scope)
        message = f"{compiled.template.rules[rule].message} (cannot hold with the choices made)."
        violations.append(Violation(compiled.rule_id(rule), message, options))
    return ConfigurationError(tuple(violations))


def configuration_of(
    compiled: CompiledTemplate, solution: list[int], reference: Configuration
) -> dict[str, Value]:
    """Public values of a solution; texts keep the reference text cut or padded to length."""
    configuration: dict[str, Value] = {}
    for domain, index in zip(compiled.domains, solution, strict=True):
        option = domain.option
        if isinstance(option, TextOption):
            text = reference.get(option.name, option.default)
            configuration[option.name] = text_of_length(option, str(text), index)
        else:
            configuration[option.name] = domain.public[index]
    return configuration


def _preference(domain: Domain) -> list[int]:
    """Value indices in the order completion tries them: default, then nearest (or listed)."""
    default = domain.default
    indices = range(len(domain.values))
    if domain.ordered:
        return sorted(indices, key=lambda i: (abs(i - default), i))
    return [default, *(i for i in indices if i != default)]
