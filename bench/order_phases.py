"""Where an order's CPU time goes: each phase of the order path timed alone, in-process, on SQLite.

Run: ``uv run python bench/order_phases.py [--repeat 500]``. The figures explain the order-intake
benchmark's ratio (docs/benchmarks.md); the floor's one-row write transaction is timed as the peer.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Column, Integer, MetaData, String, select
from sqlalchemy import Table as SqlTable
from sqlalchemy import insert as sql_insert

from c2m.bootstrap import build_platform
from c2m.demo.seed import DEMO_LOGINS, seed_demo
from c2m.domains.catalog.models import Product
from c2m.domains.orders import placement
from c2m.domains.orders.schemas import NewOrder
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.service import authenticate, create_token, resolve_token
from c2m.kernel.idempotency import KeyClaim
from c2m.migrations import upgrade
from c2m.settings import Settings

BATCH = 32  # orders a group commit takes at once at the order-intake benchmark's concurrency


def timed(function: Callable[[], object], repeat: int) -> float:
    """Milliseconds per call, after one warm-up call."""
    function()
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=500, help="calls per phase")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    url = f"sqlite:///{workdir / 'phases.sqlite3'}"
    upgrade(url)
    platform = build_platform(Settings(database_url=url, secret_key="k" * 40, data_dir=workdir))
    customer = DEMO_LOGINS[2]
    with platform.db.write() as session:
        seed_demo(session)
        user = authenticate(session, customer.email, customer.password)
        token = create_token(session, Actor.of(user), "phases")[1]
        product_id = session.scalar(select(Product.id))
    floor = SqlTable(
        "floor", MetaData(), Column("id", Integer, primary_key=True), Column("note", String(20))
    )
    floor.create(platform.db.engine)
    order = NewOrder.model_validate({"lines": [{"product_id": product_id, "quantity": 1}]})

    def authenticate_token() -> Actor | None:
        with platform.db.read() as session:
            return resolve_token(session, token)

    actor = authenticate_token()
    assert actor is not None

    def placing(batch: int) -> Callable[[], None]:
        """One write transaction placing ``batch`` orders, each with a fresh Idempotency-Key."""

        def place() -> None:
            requests = [
                placement.OrderRequest(
                    actor, order, KeyClaim(actor.user_id, secrets.token_hex(8), "p")
                )
                for _ in range(batch)
            ]
            with platform.db.write() as session:
                placement.place_orders(session, requests)

        return place

    def floor_write() -> None:
        with platform.db.write() as session:
            session.execute(sql_insert(floor).values(note="floor"))

    rows = [
        ("authenticate (token -> actor)", timed(authenticate_token, args.repeat)),
        ("place one order (one transaction)", timed(placing(1), args.repeat)),
        (
            f"place {BATCH} orders in one transaction, per order",
            timed(placing(BATCH), args.repeat // BATCH) / BATCH,
        ),
        ("floor: one-row write transaction", timed(floor_write, args.repeat)),
    ]
    table = Table(title=f"Order path phases on SQLite, {args.repeat} calls each")
    table.add_column("phase")
    table.add_column("ms per call", justify="right")
    for name, ms in rows:
        table.add_row(name, f"{ms:.3f}")
    Console().print(table)
    platform.shutdown()


if __name__ == "__main__":
    main()
