"""The concrete routing of a configuration: which operations, on which capability, how long.

This is what planning turns into work-order operations; each step follows the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass

from c2m.engines.configurator.compile import CompiledTemplate
from c2m.engines.configurator.formula import FormulaError
from c2m.engines.configurator.model import Configuration
from c2m.engines.configurator.pricing import applicable, environment


@dataclass(frozen=True, slots=True)
class RoutedOperation:
    id: str
    name: str
    capability: str
    minutes: int
    predecessors: tuple[str, ...]
    artifact: str | None = None


@dataclass(frozen=True, slots=True)
class Routing:
    operations: tuple[RoutedOperation, ...]

    @property
    def total_minutes(self) -> int:
        return sum(operation.minutes for operation in self.operations)


def routing(compiled: CompiledTemplate, configuration: Configuration, quantity: int = 1) -> Routing:
    """The operations that make ``quantity`` pieces of ``configuration``, in order."""
    steps = {step.id: step for step in compiled.template.routing}
    lines = applicable(compiled.routing, environment(compiled, configuration, quantity))
    operations = []
    previous: tuple[str, ...] = ()
    for line in lines:
        if line.amount < 0:
            raise FormulaError(f"operation {line.id!r} comes out at {line.amount} minutes")
        step = steps[line.id]
        operations.append(
            RoutedOperation(
                line.id, line.label, step.capability, line.amount, previous, step.artifact
            )
        )
        previous = (line.id,)
    return Routing(tuple(operations))
