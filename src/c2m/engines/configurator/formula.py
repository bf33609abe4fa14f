"""A small, safe formula language for rules, prices, lead times and durations.

Text is parsed with :mod:`ast` and only a whitelist of node types is accepted (numbers, strings,
option names, ``+ - * / // % **`` with a small constant exponent, comparisons, ``in`` a tuple of
constants, ``and or not``, ``x if c else y``, ``min max abs round len``); the tree is then turned
into nested closures. User text is never given to ``eval`` or ``exec``. Numbers are exact
(:class:`fractions.Fraction`), so ``0.1 * 3 == 0.3`` holds and prices round predictably.
Every formula is type-checked against the kinds of the names it may use.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

Kind = Literal["num", "str", "bool", "text"]
Env = Mapping[str, Any]
Fn = Callable[[Env], Any]

MAX_TEXT = 1000
MAX_NODES = 300
MAX_LITERAL = 10**15
MAX_EXPONENT = 6
FUNCTIONS = ("min", "max", "abs", "round", "len")


class FormulaError(ValueError):
    """A formula that cannot be parsed, type-checked or evaluated; ``position`` is 0-based."""

    def __init__(self, message: str, formula: str = "", position: int | None = None) -> None:
        where = f" at column {position + 1}" if position is not None else ""
        quoted = f" in {formula!r}" if formula else ""
        super().__init__(f"{message}{where}{quoted}")
        self.reason = message
        self.formula = formula
        self.position = position


@dataclass(frozen=True, slots=True, eq=False)
class Formula:
    """A checked formula: the names it reads, the kind it yields and a fast evaluator."""

    text: str
    names: frozenset[str]
    kind: Kind
    _fn: Fn

    def evaluate(self, env: Env) -> Any:
        """The value under ``env`` (option name → value); errors name this formula."""
        try:
            return self._fn(env)
        except ZeroDivisionError:
            raise FormulaError("division by zero", self.text) from None
        except (TypeError, ValueError, OverflowError) as error:
            raise FormulaError(f"cannot evaluate ({error})", self.text) from None

    def truth(self, env: Env) -> bool:
        return bool(self.evaluate(env))


def parse(text: str, kinds: Mapping[str, Kind]) -> Formula:
    """Parse and type-check ``text``; ``kinds`` lists the names it may use and their kinds."""
    if len(text) > MAX_TEXT:
        raise FormulaError(f"longer than {MAX_TEXT} characters", text[:40] + "…")
    indent = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        position = indent + (error.offset - 1 if error.offset else len(text.strip()))
        raise FormulaError(f"syntax error ({error.msg})", text, position) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise FormulaError(f"more than {MAX_NODES} parts", text)
    builder = _Builder(text, kinds, indent)
    fn, kind = builder.build(tree.body)
    return Formula(text, frozenset(builder.names), kind, fn)


def to_number(value: int | float | Fraction) -> Fraction:
    """Exact number from user input: 0.1 means one tenth, not the nearest binary float."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def round_half_up(value: Fraction, digits: int = 0) -> Fraction:
    """Round half away from zero, as people and price lists expect (not banker's rounding)."""
    scale = Fraction(10) ** digits
    scaled = abs(value) * scale
    whole = int(scaled + Fraction(1, 2))
    return Fraction(whole if value >= 0 else -whole) / scale


_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_ORDER: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_EQUALITY: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _numeric(kind: Kind) -> bool:
    return kind in ("num", "bool")


def _same_family(a: Kind, b: Kind) -> bool:
    return a == b or (_numeric(a) and _numeric(b))


class _Builder:
    """Walks a parsed tree, refusing anything outside the whitelist, and returns closures."""

    def __init__(self, text: str, kinds: Mapping[str, Kind], indent: int) -> None:
        self.text = text
        self.indent = indent
        self.kinds = kinds
        self.names: set[str] = set()

    def fail(self, message: str, node: ast.AST) -> FormulaError:
        column = getattr(node, "col_offset", None)
        return FormulaError(message, self.text, None if column is None else column + self.indent)

    def build(self, node: ast.expr) -> tuple[Fn, Kind]:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(f"{type(node).__name__} is not allowed in formulas", node)
        result: tuple[Fn, Kind] = method(node)
        return result

    def number(self, node: ast.expr) -> Fn:
        fn, kind = self.build(node)
        if not _numeric(kind):
            raise self.fail(f"expected a number, found a {_describe(kind)}", node)
        return fn

    def _Constant(self, node: ast.Constant) -> tuple[Fn, Kind]:
        value = node.value
        if isinstance(value, bool):
            return (lambda env: value), "bool"
        if isinstance(value, int | float):
            if abs(value) > MAX_LITERAL:
                raise self.fail("number too large", node)
            exact = to_number(value)
            return (lambda env: exact), "num"
        if isinstance(value, str):
            return (lambda env: value), "str"
        raise self.fail(f"constant {value!r} is not allowed", node)

    def _Name(self, node: ast.Name) -> tuple[Fn, Kind]:
        name = node.id
        kind = self.kinds.get(name)
        if kind is None:
            raise self.fail(f"unknown option {name!r}", node)
        if kind == "text":
            raise self.fail(f"text option {name!r} can only be used as len({name})", node)
        self.names.add(name)
        return (lambda env: env[name]), kind

    def _BinOp(self, node: ast.BinOp) -> tuple[Fn, Kind]:
        op = _ARITHMETIC.get(type(node.op))
        if op is None:
            raise self.fail(f"operator {type(node.op).__name__} is not allowed", node)
        left = self.number(node.left)
        if isinstance(node.op, ast.Pow):
            exponent = node.right
            if not (
                isinstance(exponent, ast.Constant)
                and type(exponent.value) is int
                and 0 <= exponent.value <= MAX_EXPONENT
            ):
                raise self.fail(f"exponent must be a whole number from 0 to {MAX_EXPONENT}", node)
        right = self.number(node.right)
        return (lambda env: op(left(env), right(env))), "num"

    def _UnaryOp(self, node: ast.UnaryOp) -> tuple[Fn, Kind]:
        if isinstance(node.op, ast.Not):
            inner, _ = self.build(node.operand)
            return (lambda env: not inner(env)), "bool"
        operand = self.number(node.operand)
        if isinstance(node.op, ast.USub):
            return (lambda env: -operand(env)), "num"
        if isinstance(node.op, ast.UAdd):
            return operand, "num"
        raise self.fail(f"operator {type(node.op).__name__} is not allowed", node)

    def _BoolOp(self, node: ast.BoolOp) -> tuple[Fn, Kind]:
        parts = tuple(self.build(value)[0] for value in node.values)
        if isinstance(node.op, ast.And):
            return (lambda env: all(part(env) for part in parts)), "bool"
        return (lambda env: any(part(env) for part in parts)), "bool"

    def _Compare(self, node: ast.Compare) -> tuple[Fn, Kind]:
        left, left_kind = self.build(node.left)
        links: list[tuple[Callable[[Any, Any], Any], Fn]] = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                right, right_kind = self._constants(comparator)
            else:
                right, right_kind = self.build(comparator)
            if not _same_family(left_kind, right_kind):
                raise self.fail(
                    f"cannot compare a {_describe(left_kind)} with a {_describe(right_kind)}", node
                )
            function = _ORDER.get(type(op))
            if function is not None and not _numeric(left_kind):
                raise self.fail(f"{_describe(left_kind)}s can only be compared with == or !=", node)
            function = function or _EQUALITY[type(op)]
            links.append((function, right))
            left_kind = right_kind
        chain = tuple(links)

        def compare(env: Env) -> bool:
            current = left(env)
            for function, right in chain:
                following = right(env)
                if not function(current, following):
                    return False
                current = following
            return True

        return compare, "bool"

    def _constants(self, node: ast.expr) -> tuple[Fn, Kind]:
        if not isinstance(node, ast.Tuple | ast.List | ast.Set) or not node.elts:
            raise self.fail('\'in\' needs a list of constants, such as ("steel", "glass")', node)
        built = [self.build(element) for element in node.elts]
        if not all(isinstance(element, ast.Constant) for element in node.elts):
            raise self.fail("'in' needs a list of constants", node)
        kinds = {kind for _, kind in built}
        if len(kinds) != 1 and not all(_numeric(kind) for kind in kinds):
            raise self.fail("the constants after 'in' must be of one kind", node)
        values = frozenset(fn({}) for fn, _ in built)
        return (lambda env: values), built[0][1]

    def _IfExp(self, node: ast.IfExp) -> tuple[Fn, Kind]:
        test, _ = self.build(node.test)
        body, body_kind = self.build(node.body)
        orelse, else_kind = self.build(node.orelse)
        if not _same_family(body_kind, else_kind):
            raise self.fail("both branches of 'if ... else' must be of the same kind", node)
        kind: Kind = "num" if body_kind != else_kind else body_kind
        return (lambda env: body(env) if test(env) else orelse(env)), kind

    def _Call(self, node: ast.Call) -> tuple[Fn, Kind]:
        function = node.func.id if isinstance(node.func, ast.Name) else None
        if function not in FUNCTIONS:
            raise self.fail(f"only {', '.join(FUNCTIONS)} may be called", node)
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.fail(f"{function}() takes plain arguments", node)
        args = node.args
        if function == "len":
            return self._len(node)
        if function in ("min", "max"):
            if len(args) < 2:
                raise self.fail(f"{function}() needs at least two arguments", node)
            parts = tuple(self.number(arg) for arg in args)
            pick = min if function == "min" else max
            return (lambda env: pick(part(env) for part in parts)), "num"
        if function == "abs":
            if len(args) != 1:
                raise self.fail("abs() takes one argument", node)
            inner = self.number(args[0])
            return (lambda env: abs(inner(env))), "num"
        return self._round(node)

    def _len(self, node: ast.Call) -> tuple[Fn, Kind]:
        arg = node.args[0] if len(node.args) == 1 else None
        if not isinstance(arg, ast.Name) or self.kinds.get(arg.id) != "text":
            raise self.fail("len() takes the name of one text option", node)
        name = arg.id
        self.names.add(name)
        return (lambda env: len(env[name])), "num"

    def _round(self, node: ast.Call) -> tuple[Fn, Kind]:
        args = node.args
        if not 1 <= len(args) <= 2:
            raise self.fail("round() takes a number and optionally a count of digits", node)
        digits = 0
        if len(args) == 2:
            second = args[1]
            if not (isinstance(second, ast.Constant) and type(second.value) is int):
                raise self.fail("round()'s digits must be a whole number", node)
            digits = second.value
        inner = self.number(args[0])
        return (lambda env: round_half_up(Fraction(inner(env)), digits)), "num"


def _describe(kind: Kind) -> str:
    return {"num": "number", "str": "text value", "bool": "yes/no value", "text": "text"}[kind]
