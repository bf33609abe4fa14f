"""Only the orders domain moves an order (docs/order-states.md).

Every module outside ``c2m/domains/orders/`` is read with ``ast``: it may not assign an order's
``state``, ``held_from``, ``progress`` or ``awaits_release`` (by attribute, tuple target,
``setattr``, ``Order(...)`` keyword or an ``update``/``insert`` of the orders table), nor use
a private name of the orders domain (its recorder ``_append``, its checked ``_move``), so every
change of state goes through the transition table in ``states.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import c2m
from c2m.domains.orders.models import Order
from c2m.kernel.db import Base

GUARDED = frozenset({"state", "held_from", "progress", "awaits_release"})
#: Columns only an order has: assigning them is caught whatever the object is called.
ORDER_ONLY = frozenset({"held_from", "awaits_release"})
ORDERS = "c2m.domains.orders"
SOURCE = Path(c2m.__file__).parent
OWNER = SOURCE / "domains" / "orders"


def _mentions_order(node: ast.AST | None) -> bool:
    """Whether ``node`` names the Order model (a type, ``session.get(Order, …)``, a query)."""
    if node is None:
        return False
    return any(
        (isinstance(n, ast.Name) and n.id == "Order")
        or (isinstance(n, ast.Constant) and n.value == "Order")
        for n in ast.walk(node)
    )


def _order_names(tree: ast.AST) -> set[str]:
    """Names the module binds to orders: annotated so, fetched or iterated from a query of
    orders; plus, below, any name that says it is one (``order``, ``orders``, ``work_order``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and _mentions_order(node.annotation):
            names.add(node.arg)
        elif isinstance(node, ast.AnnAssign | ast.Assign | ast.NamedExpr):
            value_says = _mentions_order(node.value) or _mentions_order(
                getattr(node, "annotation", None)
            )
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if value_says:
                names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.For | ast.comprehension) and _mentions_order(node.iter):
            names.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
    return names


def _is_order(node: ast.expr, names: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in names or "order" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "order" in node.attr.lower()
    if isinstance(node, ast.Subscript):  # orders[0].state
        return _is_order(node.value, names)
    return False


def _guarded(owner: ast.expr, attribute: object, names: set[str]) -> bool:
    """Whether setting ``attribute`` on ``owner`` would move an order."""
    return attribute in ORDER_ONLY or (attribute in GUARDED and _is_order(owner, names))


def _targets(node: ast.AST) -> Iterator[ast.expr]:
    """The expressions a statement assigns to, tuples and starred targets unpacked."""
    if isinstance(node, ast.Assign):
        pending = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        pending = [node.target]
    else:
        return
    while pending:
        target = pending.pop()
        if isinstance(target, ast.Tuple | ast.List):
            pending.extend(target.elts)
        elif isinstance(target, ast.Starred):
            pending.append(target.value)
        else:
            yield target


def _orders_aliases(tree: ast.AST) -> set[str]:
    """Local names of modules of the orders domain (``from c2m.domains.orders import service
    as orders``, ``import c2m.domains.orders.service``)."""
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == ORDERS:
            aliases.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            aliases.update(
                (a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith(ORDERS)
            )
    return aliases


def violations(source: str, filename: str = "<module>") -> list[str]:
    """Where ``source`` (a module outside the orders domain) moves an order itself."""
    tree = ast.parse(source, filename)
    names = _order_names(tree)
    aliases = _orders_aliases(tree)
    found: list[str] = []

    def say(node: ast.AST, what: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        for target in _targets(node):
            if isinstance(target, ast.Attribute) and _guarded(target.value, target.attr, names):
                say(node, f"assigns {ast.unparse(target)}")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if (
                called == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and _guarded(node.args[0], node.args[1].value, names)
            ):
                say(node, f"sets {node.args[1].value} with setattr")
            if called == "Order" and GUARDED & {k.arg for k in node.keywords if k.arg}:
                say(node, "builds an Order with its state")
            if called in {"update", "insert"} and node.args and _mentions_order(node.args[0]):
                say(node, f"writes the orders table with {called}()")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(ORDERS):
            for alias in node.names:
                if alias.name.startswith("_"):
                    say(node, f"imports the orders domain's private {alias.name}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name | ast.Attribute)
            and ast.unparse(node.value).split(".")[0] in aliases
        ):
            say(node, f"uses the orders domain's private {ast.unparse(node)}")
    return found


def _modules_outside_orders() -> Iterator[Path]:
    for path in sorted(SOURCE.rglob("*.py")):
        if OWNER not in path.parents:
            yield path


def test_no_module_outside_the_orders_domain_moves_an_order() -> None:
    found = [
        problem
        for path in _modules_outside_orders()
        for problem in violations(path.read_text(), str(path.relative_to(SOURCE.parent)))
    ]
    assert found == [], "move orders through c2m.domains.orders.service instead:\n" + "\n".join(
        found
    )


def test_the_guarded_attributes_are_the_order_row_s_and_no_other_model_s_but_state() -> None:
    """``held_from`` and ``awaits_release`` belong to orders alone, so the name rule cannot miss
    them; ``state`` and ``progress`` are checked where the object is known to be an order."""
    columns = set(Order.__table__.columns.keys())
    assert columns >= GUARDED
    for mapper in Base.registry.mappers:
        if mapper.class_ is not Order:
            assert not ORDER_ONLY & set(mapper.columns.keys())


OFFENDERS = [
    "order.state = OrderState.PAID",
    "order.held_from = None",
    "back, order.held_from = order.held_from, None",
    "work_order.order.progress += 10",
    "self.order.awaits_release = False",
    "job.held_from = None",
    "for o in session.scalars(select(Order)):\n    o.state = OrderState.SHIPPED",
    "def f(job: Order) -> None:\n    job.state = OrderState.SHIPPED",
    "x = session.get(Order, order_id)\nx.progress = 0",
    "setattr(order, 'state', OrderState.PAID)",
    "Order(id='1', state=OrderState.PAID)",
    "session.execute(update(Order).values(state='paid'))",
    "from c2m.domains.orders.service import _move",
    "from c2m.domains.orders import service as orders\norders._append(session, order, event, 'x')",
    "import c2m.domains.orders.service\nc2m.domains.orders.service._move(s, o, t, e, actor='x')",
]

INNOCENT = [
    "machine.state, machine.state_reason = state, reason",
    "self.state = MachineState.OFFLINE",
    "self.progress = progress",
    "if order.state in PRODUCTION:\n    orders.hold(session, order, actor='x', data={})",
    "select(Order).where(Order.state == OrderState.PAID)",
    "from c2m.domains.orders import service as orders\norders.note(session, order, e, actor='x')",
]


def test_the_check_sees_each_way_of_moving_an_order_and_nothing_else() -> None:
    for source in OFFENDERS:
        assert violations(source), f"not caught: {source!r}"
    for source in INNOCENT:
        assert violations(source) == [], f"wrongly caught: {source!r}"
