"""Capable to promise at checkout: pricing a configured fridge with the live plan's say on its
lead time (``templates.priced`` with the platform's promiser: the routing added after a
500-operation plan on the demo plant's 17 connected machines, in their shifts), against the
peer, the same pricing from the template's rules alone, in the same run.
Target: p95 under 200 ms. Appends to docs/benchmarks.md.

    uv run python bench/promise.py [--operations 500] [--answers 300] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from bench.harness import (
    SHARED_CPU_NOTE,
    Seeded,
    append_section,
    fresh_database,
    run_entry,
    seed,
)
from c2m.demo.factory import demo_factory
from c2m.demo.templates import REFRIGERATOR
from c2m.domains.catalog import templates
from c2m.domains.factory.models import Machine
from c2m.domains.factory.service import register_plant
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.orders import placement
from c2m.domains.orders.models import OrderLine
from c2m.domains.orders.schemas import NewLine, NewOrder
from c2m.domains.planning.models import Operation, OperationStatus
from c2m.domains.planning.promising import promise_source
from c2m.domains.planning.work_orders import open_work_order
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import User
from c2m.engines.configurator import compile_template
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database

HEADING = "Capable to promise"
INTRO = f"""\
`bench/promise.py`: the answer at checkout for a configured product, priced with the live
plan's say on its lead time (`planning/promising.py`: the routing added after the work planned
on the connected machines, each step on the capable machine that finishes it first, in its
shifts), against the peer, the same pricing from the template's rules alone (no plan read).
The plan: the demo plant's 17 machines, every one connected and on a weekday shift of 16 hours,
carrying `--operations` planned operations of 4 to 24 hours each. Target: p95 under 200 ms.

{SHARED_CPU_NOTE}"""
TARGET_P95_MS = 200.0
SHIFT = {"start": "06:00", "end": "22:00"}
WEEK = {day: [SHIFT] for day in ("mon", "tue", "wed", "thu", "fri")}


def live_plan(db: Database, seeded: Seeded, ops: int) -> None:
    """The demo plant, connected and on shifts, with ``ops`` planned operations queued."""
    rng = random.Random(7)
    now = utcnow()
    with db.write() as session:
        factory = register_plant(session, seeded.enterprise_id, demo_factory())
        machines = list(session.scalars(select(Machine).where(Machine.factory_id == factory.id)))
        for machine in machines:
            machine.state = MachineState.IDLE
            machine.calendar = {"timezone": "Europe/Berlin", "week": WEEK}
        user = session.get(User, seeded.customers[0][0])
        assert user is not None
        data = NewOrder(lines=[NewLine(product_id=seeded.product_id, quantity=1)])
        prepared = placement.prepare_order(session, Actor.of(user), data)
        placement.insert_prepared(session, prepared)
        line = session.scalars(
            select(OrderLine).where(OrderLine.order_id == prepared.order_id)
        ).one()
        work = open_work_order(session, [line], factory.id, steps=[])
        queued = {machine.id: now for machine in machines}
        for number in range(ops):
            machine = rng.choice(machines)
            hours = rng.randint(4, 24)
            start = queued[machine.id]
            queued[machine.id] = start + timedelta(hours=hours)
            session.add(
                Operation(
                    work_order_id=work.id,
                    factory_id=factory.id,
                    step=f"load-{number}",
                    name="Other work",
                    capability=machine.capabilities[0],
                    minutes=hours * 60,
                    predecessors=[],
                    status=OperationStatus.PLANNED,
                    machine_id=machine.id,
                    planned_start=start,
                    planned_end=queued[machine.id],
                )
            )


def timed(answer: Callable[[], int], answers: int) -> tuple[list[float], int]:
    samples, days = [], 0
    for _ in range(answers):
        began = time.perf_counter()
        days = answer()
        samples.append((time.perf_counter() - began) * 1000)
    return samples, days


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--operations", type=int, default=500, help="operations in the plan")
    parser.add_argument("--answers", type=int, default=300, help="checkouts timed per contender")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.db, Path(folder)) as url:
        seeded = seed(url, customers=1)
        db = Database(url)
        live_plan(db, seeded, args.operations)
        compiled = compile_template(REFRIGERATOR)
        promise = promise_source(time_scale=1.0)

        def with_plan() -> int:
            with db.read() as session:
                promiser = promise(session, seeded.enterprise_id)
                return templates.priced(compiled, {}, 1, promiser).lead_time.days

        def rules_only() -> int:
            return templates.priced(compiled, {}, 1).lead_time.days

        with_plan(), rules_only()  # warm: the first query plans, the first import loads
        ours, promised = timed(with_plan, args.answers)
        peer, ruled = timed(rules_only, args.answers)
        db.dispose()
    ours95, peer95 = p95(ours), p95(peer)
    verdict = "meets" if ours95 < TARGET_P95_MS else "MISSES"
    rows = [
        f"| priced with the live plan (capable to promise) | {statistics.median(ours):.1f} "
        f"| {ours95:.1f} | {max(ours):.1f} |",
        f"| peer: priced from the template's rules | {statistics.median(peer):.1f} "
        f"| {peer95:.1f} | {max(peer):.1f} |",
    ]
    summary = (
        f"p95 **{ours95:.1f} ms** with a {args.operations}-operation plan ({verdict} the target "
        f"of {TARGET_P95_MS:.0f} ms), {ours95 / peer95:.1f}x the peer's p95; promised "
        f"{promised} days where the rules say {ruled}."
    )
    print("\n".join(rows))
    print(summary)
    if args.record:
        title = f"{args.operations}-operation plan, {args.answers} answers, {args.db}"
        columns = ("contender", "median ms", "p95 ms", "max ms")
        append_section(HEADING, INTRO, run_entry(title, columns, rows, summary))


if __name__ == "__main__":
    main()
