"""Check a template and compile it into the form every engine operation works on.

Checking collects every problem at once, each naming the rule (or price, lead-time or
operation id, or option) at fault: unknown options, syntax and type errors, division by zero
for some values, rules that can never hold, and rules that together leave no valid
configuration (proved by exhaustive search, reported as a minimal conflicting set).
Rules are compiled to tables of the value combinations they allow, enumerated with the same
evaluator the validator uses, so propagation and validation can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from itertools import product
from math import prod
from typing import Any

from c2m.engines.configurator.formula import Formula, FormulaError, Kind, parse, to_number
from c2m.engines.configurator.model import (
    QUANTITY,
    BomItem,
    BooleanOption,
    ChoiceOption,
    DeclaredMaterial,
    Dimension,
    NumberOption,
    Option,
    Template,
    TextOption,
    Value,
)
from c2m.engines.configurator.search import Network, Table, conflict, propagate, solve

MAX_STEPS = 10_000  # values of one number option
MAX_COMBINATIONS = 200_000  # value combinations one rule (or price formula) may span


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a template; ``where`` is the id of the rule, price, step or option."""

    where: str
    message: str


class TemplateError(ValueError):
    """The template cannot be used; ``problems`` says what to fix, and where."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("; ".join(f"{p.where}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True, eq=False)
class Domain:
    """The values of one option: ``values`` as formulas see them, ``public`` as users do."""

    option: Option
    kind: Kind
    values: tuple[Any, ...]
    public: tuple[Value, ...]
    lookup: Mapping[Any, int]
    default: int

    @property
    def name(self) -> str:
        return self.option.name

    @property
    def ordered(self) -> bool:
        """Numbers and text lengths form ranges; choices are listed one by one."""
        return self.kind in ("num", "text")

    def index_of(self, value: Value) -> int | None:
        """The value's index, or None when it is not a value of this option."""
        option = self.option
        if isinstance(option, TextOption):
            if not isinstance(value, str) or any(c not in option.allowed for c in value):
                return None
            return len(value) if len(value) <= option.max_length else None
        if isinstance(option, NumberOption):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            return self.lookup.get(to_number(value))
        if isinstance(option, BooleanOption) and not isinstance(value, bool):
            return None
        return self.lookup.get(value)

    def env_value(self, value: Value) -> Any:
        """What formulas see for a valid value (the text itself for a text option)."""
        if isinstance(self.option, TextOption):
            return value
        index = self.index_of(value)
        assert index is not None
        return self.values[index]

    def describe(self, index: int) -> str:
        unit = self.option.unit if isinstance(self.option, NumberOption) else ""
        if isinstance(self.option, TextOption):
            return f"{index} characters"
        shown = self.public[index]
        if isinstance(shown, bool):
            return "yes" if shown else "no"
        return f"{shown} {unit}".strip()


def public_number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def text_of_length(option: TextOption, text: str, length: int) -> str:
    """``text`` cut or padded to ``length`` with allowed characters (repair, completion)."""
    kept = "".join(c for c in text if c in option.allowed)[:length]
    pad = next((c for c in option.allowed if c != " "), option.allowed[:1])
    return kept + pad * (length - len(kept))


def _domain(option: Option) -> Domain:
    if isinstance(option, NumberOption):
        low, high, step = (to_number(x) for x in (option.minimum, option.maximum, option.step))
        if step <= 0 or high < low:
            raise ValueError("needs minimum <= maximum and a positive step")
        count = int((high - low) / step) + 1
        if count > MAX_STEPS:
            raise ValueError(f"has {count} steps, more than {MAX_STEPS}")
        values = tuple(low + k * step for k in range(count))
        default = low if option.default is None else to_number(option.default)
        publics = tuple(public_number(v) for v in values)
        return _finish(
            option, "num", values, publics, {v: k for k, v in enumerate(values)}, default
        )
    if isinstance(option, BooleanOption):
        flags = (False, True)
        return _finish(option, "bool", flags, flags, {False: 0, True: 1}, option.default)
    if isinstance(option, TextOption):
        if not option.allowed or option.max_length < 0:
            raise ValueError("needs allowed characters and a maximum length")
        lengths = tuple(range(option.max_length + 1))
        texts = tuple("x" * n for n in lengths)
        domain = Domain(option, "text", texts, lengths, {}, 0)
        if domain.index_of(option.default) is None:
            raise ValueError("its default is too long or uses characters that are not allowed")
        return Domain(option, "text", texts, lengths, {}, len(option.default))
    if isinstance(option, ChoiceOption):
        names = option.choices
        lookup: dict[Any, int] = {name: i for i, name in enumerate(names)}
    else:
        names = tuple(colour.name for colour in option.colours)
        lookup = {name: i for i, name in enumerate(names)}
        lookup.update({colour.hex.lower(): i for i, colour in enumerate(option.colours)})
        lookup.update({colour.hex.upper(): i for i, colour in enumerate(option.colours)})
    if not names or len(set(names)) != len(names):
        raise ValueError("needs at least one value and no value twice")
    return _finish(
        option, "str", names, names, lookup, names[0] if option.default is None else option.default
    )


def _finish(
    option: Option,
    kind: Kind,
    values: tuple[Any, ...],
    publics: tuple[Value, ...],
    lookup: dict[Any, int],
    default: Any,
) -> Domain:
    index = lookup.get(default)
    if index is None:
        raise ValueError(f"its default {default!r} is not one of its values")
    return Domain(option, kind, values, publics, lookup, index)


@dataclass(frozen=True, slots=True, eq=False)
class Guarded:
    """A price, lead-time or routing formula with its condition, both checked."""

    id: str
    label: str
    when: Formula
    value: Formula


@dataclass(frozen=True, slots=True, eq=False)
class CompiledDimension:
    """A dimension to inspect: its nominal value and tolerance, under one condition."""

    nominal: Guarded
    tolerance: Guarded
    unit: str


@dataclass(frozen=True, eq=False)
class CompiledTemplate:
    """A checked template: option domains, rule tables and parsed formulas."""

    template: Template
    domains: tuple[Domain, ...]
    index: Mapping[str, int]
    rules: tuple[tuple[Formula, Formula], ...]  # (when, condition) per template rule
    network: Network
    prices: tuple[Guarded, ...]
    lead_times: tuple[Guarded, ...]
    routing: tuple[Guarded, ...]
    inspection: tuple[CompiledDimension, ...] = ()
    materials: tuple[Formula, ...] = ()  # each declared material's condition, in order
    bom: tuple[Guarded, ...] = ()  # each bill-of-materials item's quantity, in order

    @cached_property
    def root(self) -> list[int]:
        """Domains after propagating the rules alone, before anything is chosen."""
        domains = list(self.network.full)
        if propagate(self.network, domains, range(len(self.network.tables))) is not None:
            return [0] * len(domains)  # the rules contradict each other
        return domains

    def rule_id(self, rule: int) -> str:
        return self.template.rules[rule].id

    def __reduce__(self) -> tuple[Callable[[Template], CompiledTemplate], tuple[Template]]:
        """Sent to another process as its template and compiled again there: the parsed
        formulas are closures, which pickle cannot carry."""
        return compile_template, (self.template,)


def compile_template(template: Template) -> CompiledTemplate:
    """The compiled template, or :class:`TemplateError` listing every problem found."""
    compiler = _Compiler(template)
    compiled = compiler.run()
    if compiler.problems or compiled is None:
        raise TemplateError(tuple(compiler.problems))
    return compiled


def check_template(template: Template) -> tuple[Problem, ...]:
    """Every problem of ``template`` (empty when it can be used)."""
    try:
        compile_template(template)
    except TemplateError as error:
        return error.problems
    return ()


class _Compiler:
    def __init__(self, template: Template) -> None:
        self.template = template
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def run(self) -> CompiledTemplate | None:
        template = self.template
        domains: list[Domain] = []
        for option in template.options:
            try:
                domains.append(_domain(option))
            except ValueError as error:
                self.fail(option.name, f"option {option.name!r} {error}")
        names = [option.name for option in template.options]
        for name in {n for n in names if names.count(n) > 1}:
            self.fail(name, f"option {name!r} is defined twice")
        groups = (
            template.rules,
            template.prices,
            template.lead_times,
            template.routing,
            template.bom,
            template.inspection,
        )
        for group in groups:
            ids = [item.id for item in group]
            for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
                self.fail(duplicate, f"id {duplicate!r} is used twice")
        self.graph()
        if template.picture is not None:
            for drawn, name in template.picture.options:
                if name not in names:
                    self.fail("picture", f"the picture's {drawn!r} reads no option: {name!r}")
        if self.problems:
            return None
        index = {domain.name: i for i, domain in enumerate(domains)}
        kinds: dict[str, Kind] = {domain.name: domain.kind for domain in domains}
        rules = [self.rule(rule.id, rule.when, rule.condition, kinds) for rule in template.rules]
        with_quantity = {**kinds, QUANTITY: "num"}
        prices = [
            self.guarded(p.id, p.label, p.when, p.amount, with_quantity) for p in template.prices
        ]
        leads = [
            self.guarded(t.id, t.label, t.when, t.days, with_quantity) for t in template.lead_times
        ]
        steps = [
            self.guarded(o.id, o.name, o.when, o.minutes, with_quantity) for o in template.routing
        ]
        dimensions = [self.dimension(d, kinds) for d in template.inspection]
        materials = [self.material(m, kinds) for m in template.materials]
        bom = [self.bom_item(item, with_quantity) for item in template.bom]
        if self.problems:
            return None
        checked = [rule for rule in rules if rule is not None]
        tables = [self.table(n, *rule, domains, index) for n, rule in enumerate(checked)]
        full = tuple((1 << len(domain.values)) - 1 for domain in domains)
        network = Network.of(full, (table for table in tables if table is not None))
        if self.problems:
            return None
        compiled = CompiledTemplate(
            template,
            tuple(domains),
            index,
            tuple(checked),
            network,
            tuple(p for p in prices if p is not None),
            tuple(t for t in leads if t is not None),
            tuple(o for o in steps if o is not None),
            tuple(d for d in dimensions if d is not None),
            tuple(m for m in materials if m is not None),
            tuple(b for b in bom if b is not None),
        )
        self.satisfiable(compiled)
        measured = [f for d in compiled.inspection for f in (d.nominal, d.tolerance)]
        formulas = (*compiled.prices, *compiled.lead_times, *compiled.routing, *compiled.bom)
        for formula in (*formulas, *measured):
            self.evaluable(formula, compiled)
        return compiled

    def parse(self, where: str, text: str, kinds: Mapping[str, Kind]) -> Formula | None:
        try:
            return parse(text, kinds)
        except FormulaError as error:
            self.fail(where, str(error))
            return None

    def rule(
        self, where: str, when: str, condition: str, kinds: Mapping[str, Kind]
    ) -> tuple[Formula, Formula] | None:
        parsed_when = self.parse(where, when, kinds)
        parsed = self.parse(where, condition, kinds)
        return None if parsed_when is None or parsed is None else (parsed_when, parsed)

    def guarded(
        self, where: str, label: str, when: str, value: str, kinds: Mapping[str, Kind]
    ) -> Guarded | None:
        parsed_when = self.parse(where, when, kinds)
        parsed = self.parse(where, value, kinds)
        if parsed is not None and parsed.kind not in ("num", "bool"):
            self.fail(where, f"{value!r} must be a number")
            return None
        if parsed_when is None or parsed is None:
            return None
        return Guarded(where, label, parsed_when, parsed)

    def dimension(
        self, dimension: Dimension, kinds: Mapping[str, Kind]
    ) -> CompiledDimension | None:
        where, label, when = dimension.id, dimension.label, dimension.when
        nominal = self.guarded(where, label, when, dimension.nominal, kinds)
        tolerance = self.guarded(where, label, when, dimension.tolerance, kinds)
        if nominal is None or tolerance is None:
            return None
        return CompiledDimension(nominal, tolerance, dimension.unit)

    def material(self, material: DeclaredMaterial, kinds: Mapping[str, Kind]) -> Formula | None:
        where = f"materials: {material.name}"
        if not 0 < material.mass_fraction <= 1 or not 0 <= material.recycled_fraction <= 1:
            self.fail(where, "mass and recycled fractions are shares between 0 and 1")
            return None
        return self.parse(where, material.when, kinds)

    def graph(self) -> None:
        """Each step waits only for steps listed before it, so a routing never has a cycle;
        each bill-of-materials item is taken by a step of the routing."""
        earlier: set[str] = set()
        for step in self.template.routing:
            for name in step.after or ():
                if name not in earlier:
                    self.fail(step.id, f"waits for {name!r}, which is not a step listed before it")
            earlier.add(step.id)
        for item in self.template.bom:
            if item.step is not None and item.step not in earlier:
                self.fail(item.id, f"is taken by step {item.step!r}, which the routing lacks")

    def bom_item(self, item: BomItem, kinds: Mapping[str, Kind]) -> Guarded | None:
        if not item.material.strip() or not item.unit.strip():
            self.fail(item.id, "a bill-of-materials item needs a material key and a unit")
            return None
        return self.guarded(item.id, item.name, item.when, item.quantity, kinds)

    def table(
        self,
        rule: int,
        when: Formula,
        condition: Formula,
        domains: list[Domain],
        index: Mapping[str, int],
    ) -> Table | None:
        where = self.template.rules[rule].id
        scope = tuple(sorted(index[name] for name in when.names | condition.names))
        sizes = tuple(len(domains[var].values) for var in scope)
        if prod(sizes) > MAX_COMBINATIONS:
            self.fail(
                where,
                f"spans {prod(sizes):,} value combinations (more than {MAX_COMBINATIONS:,}); "
                "narrow the ranges or split the rule",
            )
            return None
        rows = []
        for row, env in _combinations(scope, domains):
            try:
                if not when.truth(env) or condition.truth(env):
                    rows.append(row)
            except FormulaError as error:
                shown = _describe_row(scope, row, domains)
                self.fail(where, f"{error.reason} when {shown} in {error.formula!r}")
                return None
        if not rows:
            self.fail(where, "this rule can never hold, whatever is chosen")
            return None
        return Table.build(rule, scope, sizes, rows)

    def satisfiable(self, compiled: CompiledTemplate) -> None:
        network = compiled.network
        domains = compiled.root
        if all(domains) and solve(network, list(domains)) is not None:
            return
        culprits = conflict(network, list(network.full))
        named = ", ".join(compiled.rule_id(rule) for rule in culprits)
        for rule in culprits:
            self.fail(
                compiled.rule_id(rule),
                f"rules {named} contradict each other: no configuration satisfies them all",
            )

    def evaluable(self, guarded: Guarded, compiled: CompiledTemplate) -> None:
        """Refuse formulas that divide by zero (or fail) for some configuration allowed so far.

        Enumerates the values left by propagation when that is small enough; the rest is
        caught, naming the formula, when a configuration is priced or routed.
        """
        names = sorted((guarded.when.names | guarded.value.names) - {QUANTITY})
        scope = tuple(compiled.index[name] for name in names)
        if prod(compiled.root[var].bit_count() for var in scope) > MAX_COMBINATIONS:
            return
        allowed = [compiled.root[var] for var in scope]
        for row, env in _combinations(scope, list(compiled.domains)):
            if any(not allowed[i] >> value & 1 for i, value in enumerate(row)):
                continue
            env = {**env, QUANTITY: 1}
            try:
                if guarded.when.truth(env):
                    guarded.value.evaluate(env)
            except FormulaError as error:
                shown = _describe_row(scope, row, compiled.domains)
                self.fail(guarded.id, f"{error.reason} when {shown} in {error.formula!r}")
                return


def _combinations(
    scope: tuple[int, ...], domains: list[Domain]
) -> Iterator[tuple[tuple[int, ...], dict[str, Any]]]:
    names = [domains[var].name for var in scope]
    values = [domains[var].values for var in scope]
    for row in product(*(range(len(v)) for v in values)):
        yield row, {name: values[i][k] for i, (name, k) in enumerate(zip(names, row, strict=True))}


def _describe_row(scope: tuple[int, ...], row: tuple[int, ...], domains: Sequence[Domain]) -> str:
    return ", ".join(
        f"{domains[var].name} = {domains[var].describe(k)}"
        for var, k in zip(scope, row, strict=True)
    )
