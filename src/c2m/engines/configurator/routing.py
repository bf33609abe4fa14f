"""The concrete routing of a configuration: which operations, on which capability, how long.

This is what planning turns into work-order operations: a chain, or a graph where the template
lets steps run side by side.
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
    """The operations that make ``quantity`` pieces of ``configuration``, in order; a step left
    out hands what it waited for to the steps that waited for it."""
    env = environment(compiled, configuration, quantity)
    lines = {line.id: line for line in applicable(compiled.routing, env)}
    waits: dict[str, tuple[str, ...]] = {}  # what waiting for each step means among kept ones
    operations = []
    previous: tuple[str, ...] = ()
    for step in compiled.template.routing:
        named = previous if step.after is None else step.after
        waits[step.id] = tuple(dict.fromkeys(p for name in named for p in waits[name]))
        line = lines.get(step.id)
        if line is None:
            previous = waits[step.id]
            continue
        if line.amount < 0:
            raise FormulaError(f"operation {line.id!r} comes out at {line.amount} minutes")
        operations.append(
            RoutedOperation(
                line.id, line.label, step.capability, line.amount, waits[step.id], step.artifact
            )
        )
        waits[step.id] = (step.id,)
        previous = (step.id,)
    return Routing(tuple(operations))
