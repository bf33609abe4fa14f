"""Crash safety of order intake (issue 2, acceptance 2).

A real ``c2m serve`` process takes order submissions with Idempotency-Keys from several client
threads while a killer thread SIGKILLs it at random (seeded) moments and starts it again. Each
client retries its key until it gets an answer (connection errors, 409 and 5xx are retried).
Half the orders are then paid, with their own keys, under the same regime. Afterwards the
database is checked: one order per key, the answer each client got is that order, every timeline
is complete, every event has its outbox row, and a ``c2m worker``'s outbox relay,
started after the last restart, publishes them all.

Used by tests/integration/test_crash_safety.py; also runnable on its own::

    uv run python bench/crash_client.py --db sqlite --orders 100 --seed 7
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    ServerProcess,
    WorkerProcess,
    free_port,
    fresh_database,
    seed,
    server_env,
)

RETRYABLE = frozenset({409, 500, 502, 503, 504})


@dataclass
class Submission:
    """One logical request the client keeps retrying until the server answers it."""

    token: str
    user_id: str
    key: str
    pay: bool
    order_id: str | None = None
    placed_status: int | None = None
    paid_status: int | None = None
    attempts: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class CrashReport:
    submissions: list[Submission]
    kills: int
    starts: int
    interrupted: int  # requests cut off by a kill after they were sent
    retried_statuses: dict[int, int]
    problems: list[str]
    pending_outbox: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems


class _InFlight:
    """How many requests are on the wire right now (the killer prefers such moments)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def __enter__(self) -> None:
        with self._lock:
            self.count += 1

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self.count -= 1


class CrashTrial:
    def __init__(
        self,
        server: ServerProcess,
        submissions: list[Submission],
        product_id: str,
        *,
        seed: int,
        clients: int,
        max_kills: int,
        think: float,
        deadline: float,
    ) -> None:
        self.server = server
        self.submissions = submissions
        self.product_id = product_id
        self.rng = random.Random(seed)
        self.client_seeds = [self.rng.randrange(2**32) for _ in range(clients)]
        self.max_kills = max_kills
        self.think = think
        self.deadline = deadline
        self.kills = 0
        self.interrupted = 0
        self.retried: dict[int, int] = defaultdict(int)
        self.done = threading.Event()
        self.failure: BaseException | None = None
        self.in_flight = _InFlight()
        self.lock = threading.Lock()
        self.queue = list(reversed(submissions))

    # -- clients ---------------------------------------------------------------------------

    def _until_answered(
        self, client: httpx.Client, sub: Submission, path: str, body: dict[str, Any], key: str
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {sub.token}", "Idempotency-Key": key}
        while time.monotonic() < self.deadline and self.failure is None:
            sub.attempts += 1
            try:
                with self.in_flight:
                    response = client.post(path, json=body, headers=headers)
            except httpx.ConnectError:
                time.sleep(0.05)  # the server is down; it will be back
                continue
            except httpx.TransportError as exc:  # sent, then the server died under it
                with self.lock:
                    self.interrupted += 1
                sub.errors.append(type(exc).__name__)
                time.sleep(0.05)
                continue
            if response.status_code in RETRYABLE:
                with self.lock:
                    self.retried[response.status_code] += 1
                time.sleep(0.05)
                continue
            return response
        raise TimeoutError(f"key {key} got no answer before the deadline or the server failed")

    def _client(self, number: int) -> None:
        rng = random.Random(self.client_seeds[number])
        with httpx.Client(base_url=self.server.url, timeout=10) as client:
            while True:
                with self.lock:
                    if not self.queue:
                        return
                    sub = self.queue.pop()
                order = {
                    "lines": [
                        {
                            "product_id": self.product_id,
                            "quantity": 1 + rng.randrange(3),
                            "configuration": {"crash_key": sub.key},
                        }
                    ]
                }
                placed = self._until_answered(client, sub, "/api/v1/orders", order, sub.key)
                sub.placed_status = placed.status_code
                if placed.is_success:
                    sub.order_id = placed.json()["id"]
                time.sleep(rng.uniform(0, 2 * self.think))
                if sub.pay and sub.order_id is not None:
                    paid = self._until_answered(
                        client,
                        sub,
                        f"/api/v1/orders/{sub.order_id}/pay",
                        {"payment_method": "test-ok"},
                        "pay-" + sub.key,
                    )
                    sub.paid_status = paid.status_code
                    time.sleep(rng.uniform(0, 2 * self.think))

    # -- killer ----------------------------------------------------------------------------

    def _killer(self, min_up: float, max_up: float) -> None:
        try:
            self._kill_and_restart(min_up, max_up)
        except BaseException as exc:  # the clients must not wait for a server that never comes
            self.failure = exc

    def _kill_and_restart(self, min_up: float, max_up: float) -> None:
        while not self.done.is_set() and self.kills < self.max_kills:
            if self.done.wait(self.rng.uniform(min_up, max_up)):
                return
            # Prefer a moment with a request on the wire (at most 0.5 s more).
            until = time.monotonic() + 0.5
            while self.in_flight.count == 0 and time.monotonic() < until:
                time.sleep(0.001)
            if self.done.is_set():
                return
            self.server.kill()
            self.kills += 1
            time.sleep(self.rng.uniform(0, 0.3))
            self.server.start()

    def run(self, clients: int, min_up: float, max_up: float) -> None:
        threads = [
            threading.Thread(target=self._client, args=(n,), name=f"client-{n}")
            for n in range(clients)
        ]
        killer = threading.Thread(target=self._killer, args=(min_up, max_up), name="killer")
        for thread in threads:
            thread.start()
        killer.start()
        for thread in threads:
            thread.join()
        self.done.set()
        killer.join()
        if self.failure is not None:
            raise RuntimeError("the server could not be restarted") from self.failure


def check_database(database_url: str, submissions: list[Submission]) -> tuple[list[str], int]:
    """Everything acceptance 2 promises, read straight from the database; returns the problems
    found and how many outbox rows are still unpublished."""
    from c2m.domains.orders.models import Order, OrderEvent, OrderLine
    from c2m.kernel.idempotency import IdempotencyRecord
    from c2m.kernel.outbox import OutboxMessage

    problems: list[str] = []
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            lines = conn.execute(select(OrderLine.order_id, OrderLine.configuration)).all()
            orders = {row.id: row for row in conn.execute(select(Order)).all()}
            events = conn.execute(
                select(OrderEvent.order_id, OrderEvent.seq, OrderEvent.type)
            ).all()
            records = conn.execute(select(IdempotencyRecord)).all()
            outbox = conn.execute(select(OutboxMessage.payload)).all()
            pending = int(
                conn.execute(
                    select(func.count()).where(OutboxMessage.published_at.is_(None))
                ).scalar_one()
            )
    finally:
        engine.dispose()

    by_key: dict[str, set[str]] = defaultdict(set)
    for order_id, configuration in lines:
        key = (configuration or {}).get("crash_key")
        if key is None:
            problems.append(f"order {order_id} carries no crash key")
        else:
            by_key[str(key)].add(order_id)
    record_of = {(r.scope, r.key): r for r in records}
    for sub in submissions:
        found = by_key.get(sub.key, set())
        if sub.placed_status is None or not 200 <= sub.placed_status < 300:
            problems.append(f"key {sub.key} was never answered with 2xx ({sub.placed_status})")
        if len(found) > 1:
            problems.append(f"key {sub.key} has {len(found)} orders")
        if sub.placed_status is not None and 200 <= sub.placed_status < 300 and len(found) != 1:
            problems.append(f"key {sub.key} got a 2xx but has {len(found)} orders")
        if found and sub.order_id not in found:
            problems.append(f"key {sub.key}: the client was told {sub.order_id}, stored {found}")
        record = record_of.get((sub.user_id, sub.key))
        if record is None:
            problems.append(f"key {sub.key} has no stored idempotent response")
        elif record.body.get("id") != sub.order_id:
            problems.append(f"key {sub.key}: stored response names {record.body.get('id')}")
        if sub.pay and sub.paid_status != 200:
            problems.append(f"key {sub.key}: payment answered {sub.paid_status}")
    if len(orders) != len(by_key):
        problems.append(f"{len(orders)} orders for {len(by_key)} keys")

    seqs: dict[str, list[int]] = defaultdict(list)
    types: dict[str, set[str]] = defaultdict(set)
    for order_id, seq, event_type in events:
        seqs[order_id].append(seq)
        types[order_id].add(event_type)
    for order_id, order in orders.items():
        got = sorted(seqs.get(order_id, []))
        if got != list(range(1, order.last_seq + 1)):
            problems.append(f"order {order_id}: timeline {got}, last_seq {order.last_seq}")
        if "placed" not in types[order_id]:
            problems.append(f"order {order_id}: no 'placed' event")
    paid_orders = {s.order_id for s in submissions if s.pay}
    for order_id in paid_orders:
        if order_id is not None and (
            "paid" not in types[order_id] or orders[order_id].state != "paid"
        ):
            problems.append(f"order {order_id} was paid but its timeline says otherwise")

    in_outbox = {(p["order_id"], p["seq"]) for (p,) in outbox if "order_id" in p}
    for order_id, seq, _type in events:
        if (order_id, seq) not in in_outbox:
            problems.append(f"order {order_id} event {seq} has no outbox row")
    if len(outbox) != len(events):
        problems.append(f"{len(outbox)} outbox rows for {len(events)} events")
    return problems, pending


def run_crash_trial(
    database_url: str,
    workdir: Path,
    *,
    orders: int = 100,
    clients: int = 6,
    seed_value: int = 2024,
    max_kills: int = 6,
    think: float = 0.2,
    min_up: float = 0.3,
    max_up: float = 0.9,
    time_limit: float = 150.0,
) -> CrashReport:
    """Run the whole trial against a migrated, empty database at ``database_url``."""
    started = time.monotonic()
    seeded = seed(database_url, customers=4)
    rng = random.Random(seed_value)
    submissions = []
    for number in range(orders):
        user_id, token = seeded.customers[number % len(seeded.customers)]
        key = f"crash-{seed_value}-{number:03d}-{rng.randrange(16**6):06x}"
        submissions.append(Submission(token, user_id, key, pay=number % 2 == 0))
    server = ServerProcess(server_env(database_url, workdir), free_port(), workdir / "server.log")
    server.start()
    relay_env = server_env(database_url, workdir, C2M_MQTT_PORT=str(free_port()))
    relay = WorkerProcess(relay_env, workdir / "worker.log")
    trial = CrashTrial(
        server,
        submissions,
        seeded.product_id,
        seed=seed_value,
        clients=clients,
        max_kills=max_kills,
        think=think,
        deadline=started + time_limit,
    )
    try:
        trial.run(clients, min_up, max_up)
        # The factory tier relays the outbox: a worker publishes whatever the killed servers left.
        relay.start()
        wait_until = time.monotonic() + 10
        problems, pending = check_database(database_url, submissions)
        while pending and time.monotonic() < wait_until:
            time.sleep(0.2)
            problems, pending = check_database(database_url, submissions)
        if pending:
            problems.append(f"{pending} outbox rows still unpublished 10 s after a worker started")
    finally:
        server.stop()
        relay.stop()
    return CrashReport(
        submissions=submissions,
        kills=trial.kills,
        starts=server.starts,
        interrupted=trial.interrupted,
        retried_statuses=dict(trial.retried),
        problems=problems,
        pending_outbox=pending,
        seconds=time.monotonic() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="SIGKILL a real c2m server while clients submit orders with Idempotency-Keys, "
        "then check that no order was lost or doubled and every timeline and outbox row is there."
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--orders", type=int, default=100, help="order submissions (keys)")
    parser.add_argument("--clients", type=int, default=6, help="client threads")
    parser.add_argument("--kills", type=int, default=6, help="most SIGKILLs")
    parser.add_argument("--seed", type=int, default=2024, help="seed of every random choice")
    args = parser.parse_args(argv)
    from rich.console import Console
    from rich.table import Table

    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.db, Path(tmp)) as url:
        report = run_crash_trial(
            url,
            Path(tmp),
            orders=args.orders,
            clients=args.clients,
            seed_value=args.seed,
            max_kills=args.kills,
        )
    table = Table(title=f"Crash safety on {args.db} (seed {args.seed})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    attempts = sum(s.attempts for s in report.submissions)
    for name, value in (
        ("keys", len(report.submissions)),
        ("SIGKILLs", report.kills),
        ("server starts", report.starts),
        ("requests sent", attempts),
        ("requests cut off by a kill", report.interrupted),
        ("retried statuses", report.retried_statuses or "-"),
        ("outbox rows unpublished at the end", report.pending_outbox),
        ("problems", len(report.problems)),
        ("seconds", f"{report.seconds:.1f}"),
    ):
        table.add_row(name, str(value))
    console = Console()
    console.print(table)
    for problem in report.problems[:50]:
        console.print(f"[red]{problem}[/red]")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
