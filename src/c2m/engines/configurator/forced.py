"""What a choice forced to change: the options the user did not touch that moved anyway, each
with the rules its old value would now break, so the page can say so instead of changing the
doors behind the user's back.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from c2m.engines.configurator.compile import CompiledTemplate
from c2m.engines.configurator.model import Configuration, Value
from c2m.engines.configurator.validate import validate


@dataclass(frozen=True, slots=True)
class Forced:
    """``option`` went from ``before`` to ``after``; ``reasons`` are the rules' sentences
    (empty when no single rule forbids the old value, only the new choices together)."""

    option: str
    label: str
    before: Value
    after: Value
    reasons: tuple[str, ...]


def forced_changes(
    compiled: CompiledTemplate,
    before: Configuration,
    after: Configuration,
    touched: Set[str],
) -> tuple[Forced, ...]:
    """The options outside ``touched`` whose valid value in ``before`` differs in ``after``;
    those forced by a rule on a touched option first, so the sentence reads cause to effect."""
    messages = {rule.id: rule.message for rule in compiled.template.rules}
    changes: list[tuple[bool, Forced]] = []
    for domain in compiled.domains:
        name = domain.name
        old, new = before.get(name), after.get(name)
        if name in touched or old is None or new is None or old == new:
            continue
        if domain.index_of(old) is None:
            continue  # not a value of this version: nothing was taken away from the user
        broken = validate(compiled, {**after, name: old}).violations
        rules = [v for v in broken if v.rule_id in messages]
        reasons = tuple(dict.fromkeys(messages[v.rule_id] for v in rules))
        direct = any(touched & set(v.options) for v in rules)
        changes.append((not direct, Forced(name, domain.option.label or name, old, new, reasons)))
    return tuple(change for _, change in sorted(changes, key=lambda pair: pair[0]))
