"""The scorecard recomputed from raw rows: a year of a platform with ``--orders`` orders (their
lines, paid and delivered events, feedback and ledger postings), then the scorecard of one month
(the page) and of every month of the year (the API's year, each month against the one before),
against the peer of a bare grouped count and sum over the same orders. Appends to
docs/benchmarks.md with --record."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bench.harness import (
    SHARED_CPU_NOTE,
    append_section,
    fresh_database,
    run_entry,
)
from c2m.domains.catalog.models import Product
from c2m.domains.insights.activity import UnitKind
from c2m.domains.insights.models import Feedback
from c2m.domains.insights.scorecard import scorecard
from c2m.domains.ledger import periods
from c2m.domains.ledger.models import (
    ChainHead,
    LedgerAccount,
    LedgerPosting,
    LedgerTransaction,
    TransactionKind,
)
from c2m.domains.ledger.rules import Role, account
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.orders.states import OrderState
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise, User
from c2m.kernel.db import Database, table_of
from c2m.kernel.ids import new_id
from c2m.web.routers.api_scorecard import year_out

HEADING = "Scorecard recomputation"
INTRO = f"""\
`bench/scorecard.py`: a year of a platform (orders spread over twelve months among micro-enterprises
and customers, each with its line, its `paid` and `delivered` timeline events, a third of them
rated, and its payment in the ledger: clearing, platform fee, the enterprise's share) written
straight into a fresh database, then the scorecard recomputed from those rows: the month the page
shows (each figure for it and for the month before), and the year as `GET /api/v1/scorecard/year`
serves it (every month against the one before, response objects built), for micro-enterprises
and for products. The peer is the cheapest read of the same rows: one grouped count and sum of
the month's orders per enterprise.
Target: the scorecard of a year of 100,000 orders in under 1 s.

{SHARED_CPU_NOTE}"""
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
CHUNK = 5_000
FEE = 0.10


def seed_year(db: Database, orders: int, enterprises: int, customers: int) -> None:
    """Rows as the platform would have written them, in bulk."""
    rng = random.Random(7)
    with db.write() as session:
        session.execute(
            insert(table_of(User)),
            [
                {
                    "id": f"u{n:06d}",
                    "email": f"u{n}@bench.example",
                    "name": f"U{n}",
                    "password_hash": "-",
                    "is_platform_owner": n == 0,
                    "is_maker": False,
                    "is_active": True,
                    "created_at": YEAR_START,
                }
                for n in range(customers + 1)
            ],
        )
        session.execute(
            insert(table_of(Enterprise)),
            [
                {
                    "id": f"e{n:04d}",
                    "name": f"Enterprise {n}",
                    "slug": f"e{n}",
                    "created_at": YEAR_START,
                }
                for n in range(enterprises)
            ],
        )
        session.execute(
            insert(table_of(Product)),
            [
                {
                    "id": f"p{n:04d}",
                    "enterprise_id": f"e{n:04d}",
                    "slug": f"thing-{n}",
                    "name": "Thing",
                    "unit_price": 2_500,
                }
                for n in range(enterprises)
            ],
        )
        names = [(account(Role.PAYMENT_CLEARING)), account(Role.PLATFORM_FEES)]
        names += [account(Role.ENTERPRISE, f"e{n:04d}") for n in range(enterprises)]
        session.execute(
            insert(table_of(LedgerAccount)),
            [{"name": name, "type": kind, "created_at": YEAR_START} for name, kind in names],
        )
    with Progress(transient=True) as progress:
        task = progress.add_task("writing a year of orders", total=orders)
        for first in range(0, orders, CHUNK):
            with db.write() as session:
                _chunk(
                    session, rng, range(first, min(orders, first + CHUNK)), enterprises, customers
                )
            progress.advance(task, min(CHUNK, orders - first))
    with db.write() as session:
        session.merge(ChainHead(id=1, seq=orders, hash="0" * 64))
    if db.engine.dialect.name == "postgresql":  # the statistics a year of use would have left
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def _chunk(
    session: Session, rng: random.Random, numbers: range, enterprises: int, customers: int
) -> None:
    orders, lines, events, feedback, postings, transactions = [], [], [], [], [], []
    clearing, fees = account(Role.PAYMENT_CLEARING)[0], account(Role.PLATFORM_FEES)[0]
    for number in numbers:
        order_id, enterprise = f"o{number:08d}", f"e{rng.randrange(enterprises):04d}"
        customer = f"u{1 + int(rng.paretovariate(1.2)) % customers:06d}"
        placed = YEAR_START + timedelta(seconds=rng.randrange(365 * 86_400))
        paid, arrived = placed + timedelta(minutes=5), placed + timedelta(days=rng.randrange(1, 12))
        total = 2_500 * rng.randrange(1, 5)
        delivered = rng.random() < 0.8
        orders.append(
            {
                "id": order_id,
                "customer_id": customer,
                "enterprise_id": enterprise,
                "state": OrderState.DELIVERED if delivered else OrderState.PAID,
                "currency": "EUR",
                "total": total,
                "captured": total,
                "refunded": 0,
                "last_seq": 3 if delivered else 2,
                "progress": 100 if delivered else 20,
                "version": 1,
                "created_at": placed,
                "updated_at": arrived,
                "awaits_release": False,
            }
        )
        lines.append(
            {
                "id": new_id(),
                "order_id": order_id,
                "position": 0,
                "product_id": f"p{enterprise[1:]}",
                "product_name": "Thing",
                "quantity": total // 2_500,
                "unit_price": 2_500,
                "configuration": {},
                "pricing": {"lead_time": {"days": 7}} if rng.random() < 0.5 else None,
            }
        )
        for seq, (kind, state, at) in enumerate(
            [("placed", OrderState.PLACED, placed), ("paid", OrderState.PAID, paid)]
            + ([("delivered", OrderState.DELIVERED, arrived)] if delivered else []),
            start=1,
        ):
            events.append(
                {
                    "id": new_id(),
                    "order_id": order_id,
                    "seq": seq,
                    "type": kind,
                    "state": state,
                    "at": at,
                    "actor": "bench",
                    "data": {},
                    "progress": 0,
                }
            )
        if delivered and rng.random() < 0.33:
            feedback.append(
                {
                    "id": new_id(),
                    "order_id": order_id,
                    "customer_id": customer,
                    "enterprise_id": enterprise,
                    "score": rng.randrange(11),
                    "comment": "",
                    "created_at": arrived,
                    "updated_at": arrived,
                }
            )
        transaction = new_id()
        fee = round(total * FEE)
        share = account(Role.ENTERPRISE, enterprise)[0]
        for position, (name, amount) in enumerate(
            ((clearing, total), (fees, -fee), (share, fee - total))
        ):
            postings.append(
                {
                    "transaction_id": transaction,
                    "position": position,
                    "account": name,
                    "currency": "EUR",
                    "amount": amount,
                }
            )
        transactions.append(
            {
                "id": transaction,
                "seq": number + 1,
                "kind": TransactionKind.PAYMENT,
                "key": f"order:{order_id}:2",
                "reference": order_id,
                "reverses": None,
                "description": "payment",
                "created_at": paid,
                "prev_hash": "0" * 64,
                "hash": "0" * 64,
            }
        )
    session.execute(insert(table_of(Order)), orders)
    session.execute(insert(table_of(OrderLine)), lines)
    session.execute(insert(table_of(OrderEvent)), events)
    if feedback:
        session.execute(insert(table_of(Feedback)), feedback)
    session.execute(insert(table_of(LedgerPosting)), postings)  # before their sealing rows
    session.execute(insert(table_of(LedgerTransaction)), transactions)


def timed(work: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=40)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.db, Path(tmp)) as url:
        db = Database(url)
        seed_year(db, args.orders, args.enterprises, args.customers)
        with db.read() as session:
            owner = session.get(User, "u000000")
            assert owner is not None
            actor = Actor.of(owner)
        june = periods.month("2025-06")

        def month() -> None:
            with db.read() as session:
                scorecard(session, actor, june)

        def year(unit: UnitKind) -> Callable[[], object]:
            return lambda: year_out(db, actor, 2025, unit)

        def peer() -> None:
            with db.read() as session:
                session.execute(
                    select(Order.enterprise_id, func.count(), func.sum(Order.total))
                    .where(Order.created_at >= june.start, Order.created_at < june.end)
                    .group_by(Order.enterprise_id)
                ).all()

        results = {
            "scorecard, one month": timed(month, args.rounds),
            "scorecard, the year (API)": timed(year(UnitKind.ENTERPRISE), args.rounds),
            "scorecard, the year of products (API)": timed(year(UnitKind.PRODUCT), args.rounds),
            "peer: grouped count and sum of the month": timed(peer, args.rounds),
        }
        db.dispose()
    medians = {name: statistics.median(times) for name, times in results.items()}
    one, twelve, _, theirs = medians.values()
    verdict = "meets" if twelve < 1.0 else "MISSES"
    summary = (
        f"one month {one:.3f} s ({one / theirs:.0f}x the peer), the whole year {twelve:.3f} s "
        f"({twelve / theirs:.0f}x the peer): "
        f"{verdict} the target (< 1 s for a year of {args.orders:,} orders)"
    )
    rows = [
        f"| {name} | {statistics.median(t):.3f} | {min(t):.3f} | {max(t):.3f} |"
        for name, t in results.items()
    ]
    console.print("\n".join(rows))
    console.print(summary)
    if args.record:
        title = f"{args.orders:,} orders, {args.enterprises} micro-enterprises, {args.db}"
        columns = ("what", "median s", "min s", "max s")
        append_section(HEADING, INTRO, run_entry(title, columns, rows, summary + "."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
