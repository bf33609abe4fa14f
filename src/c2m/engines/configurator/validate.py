"""Validate a full configuration and explain, in a sentence each, everything wrong with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from c2m.engines.configurator.compile import CompiledTemplate, Domain
from c2m.engines.configurator.model import Configuration, TextOption

# Ids of the checks every option carries, besides the template's own rules.
UNKNOWN = "unknown-option"
MISSING = "missing-option"
OUT_OF_RANGE = "invalid-value"


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken rule (or option check): its id, a sentence for people, the options involved."""

    rule_id: str
    message: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Validation:
    violations: tuple[Violation, ...]

    @property
    def valid(self) -> bool:
        return not self.violations


class ConfigurationError(ValueError):
    """A configuration that cannot be priced, routed or completed, with the reasons."""

    def __init__(self, violations: tuple[Violation, ...]) -> None:
        super().__init__(" ".join(v.message for v in violations))
        self.violations = violations


def validate(compiled: CompiledTemplate, configuration: Configuration) -> Validation:
    """Every violated option check and rule; rules are evaluated on values that are valid."""
    violations = [
        Violation(UNKNOWN, f"{name!r} is not an option of {compiled.template.name}.", (name,))
        for name in configuration
        if name not in compiled.index
    ]
    env: dict[str, Any] = {}
    for domain in compiled.domains:
        problem = _value_problem(domain, configuration)
        if problem is None:
            env[domain.name] = domain.env_value(configuration[domain.name])
        else:
            violations.append(problem)
    for rule, (when, condition) in zip(compiled.template.rules, compiled.rules, strict=True):
        names = when.names | condition.names
        if names <= env.keys() and when.truth(env) and not condition.truth(env):
            involved = tuple(d.name for d in compiled.domains if d.name in names)
            shown = ", ".join(f"{name} is {_shown(configuration[name])}" for name in involved)
            violations.append(Violation(rule.id, f"{rule.message} (now {shown}).", involved))
    return Validation(tuple(violations))


def require_valid(compiled: CompiledTemplate, configuration: Configuration) -> dict[str, Any]:
    """The values formulas see, or :class:`ConfigurationError` when the configuration is invalid."""
    outcome = validate(compiled, configuration)
    if not outcome.valid:
        raise ConfigurationError(outcome.violations)
    return {d.name: d.env_value(configuration[d.name]) for d in compiled.domains}


def _value_problem(domain: Domain, configuration: Configuration) -> Violation | None:
    name = domain.name
    if name not in configuration:
        return Violation(MISSING, f"Nothing is chosen for {name}.", (name,))
    value = configuration[name]
    if domain.index_of(value) is not None:
        return None
    option = domain.option
    if isinstance(option, TextOption):
        why = (
            f"at most {option.max_length} characters from {option.allowed!r}"
            if isinstance(value, str)
            else "text"
        )
    elif domain.ordered:
        first, last = domain.public[0], domain.public[-1]
        step = getattr(option, "step", 1)
        why = f"a number from {first} to {last} in steps of {step}"
    else:
        why = "one of " + ", ".join(_shown(v) for v in domain.public)
    return Violation(
        OUT_OF_RANGE, f"{_shown(value)} is not a valid {name}: it must be {why}.", (name,)
    )


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return repr(value) if isinstance(value, str) else str(value)
