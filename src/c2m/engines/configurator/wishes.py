"""What is wrong with a wish: a partial configuration whose numbers may fall between steps (a
measured chest of 1056 mm) but not outside an option's range, and whose choices must be among the
option's values. Circles check each demand with it as it is posted, the aggregation each batch."""

from __future__ import annotations

from collections.abc import Mapping
from math import isfinite

from c2m.engines.configurator.compile import CompiledTemplate
from c2m.engines.configurator.model import NumberOption, Value


def wish_problems(compiled: CompiledTemplate, values: Mapping[str, Value]) -> list[str]:
    """Sentences for everything wrong with ``values`` (empty when the wish can be pooled)."""
    problems: list[str] = []
    for name, value in values.items():
        var = compiled.index.get(name)
        if var is None:
            problems.append(f"{name!r} is not an option of {compiled.template.name}")
            continue
        domain = compiled.domains[var]
        option = domain.option
        if isinstance(option, NumberOption):
            if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
                problems.append(f"{name} must be a number, not {value!r}")
            elif not option.minimum <= value <= option.maximum:
                unit = f" {option.unit}" if option.unit else ""
                problems.append(
                    f"{name} {value:g} is outside {option.minimum}-{option.maximum}{unit}"
                )
        elif domain.index_of(value) is None:
            allowed = ", ".join(str(v) for v in domain.public)
            what = f"one of {allowed}" if domain.kind != "text" else "a valid text"
            problems.append(f"{name} must be {what}, not {value!r}")
    return problems
