"""Benchmark: telemetry through Mosquitto into the database, against a subscriber that only counts.

A private Mosquitto (the system's binary, on a free port, queues unlimited) holds a backlog of
``--messages`` telemetry messages from ``--machines`` machines for a persistent session; then the
contender connects and drains it. Contenders, alternating in the same run on identical backlogs:

- c2m: ``IngestWorker`` (parse and check every message against the contract, find the machine,
  detect seq gaps, batch-insert into ``telemetry``); the clock stops when the last row is
  committed;
- peer: a bare aiomqtt subscriber with the same connection options that only counts messages.

With ``--workers N`` the machines belong to N factories and N ``IngestWorker`` processes drain
the backlog side by side, each with its own session, each writing the factory it leads (as
``c2m worker`` processes do); the clock stops when the last of them has committed its share.

Targets: at least half the peer's rate and at least 10,000 messages per second.

    uv run python bench/telemetry_ingest.py --messages 100000 --rounds 3
    uv run python bench/telemetry_ingest.py --messages 100000 --rounds 3 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aiomqtt
import paho.mqtt.client as mqtt
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    SHARED_CPU_NOTE,
    append_section,
    fresh_database,
    own_mosquitto,
    run_entry,
)
from c2m.domains.factory.contract import SUBSCRIPTION, topic
from c2m.domains.factory.service import register_plant
from c2m.engines.simulation import factory_from_dict
from c2m.kernel.db import Database
from c2m.kernel.mqtt import BrokerConnection
from c2m.workers.ingest import IngestWorker

FACTORY = "bench"


def factory_of(machine: int, factories: int) -> str:
    """Machines are dealt round-robin to the factories ``bench0``, ``bench1``…"""
    return f"{FACTORY}{machine % factories}"


MIN_RATE = 10_000
MIN_RATIO = 0.5


def register(url: str, machines: int, factories: int) -> None:
    specs = [
        factory_from_dict(
            {
                "id": f"{FACTORY}{f}",
                "machines": [
                    {"id": f"m{n}", "capabilities": ["pack"]}
                    for n in range(machines)
                    if n % factories == f
                ],
            }
        )
        for f in range(factories)
    ]
    from c2m.domains.platform import service as accounts
    from c2m.domains.platform.schemas import SignUp

    db = Database(url)
    with db.write() as session:
        owner = accounts.create_user(
            session, SignUp(email="bench@example.com", name="Bench", password="bench-password-1")
        )
        enterprise = accounts.create_enterprise(session, "Bench", "bench", owner)
        for spec in specs:
            register_plant(session, enterprise.id, spec)
    db.dispose()


def subscribe(port: int, client_id: str) -> None:
    """Open the persistent session (so the broker queues for it), then leave."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    subscribed = threading.Event()
    client.on_subscribe = lambda *_: subscribed.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    client.subscribe(SUBSCRIPTION, qos=1)
    if not subscribed.wait(10):
        raise SystemExit("the broker did not confirm the subscription")
    client.disconnect()
    client.loop_stop()


def backlog(port: int, messages: int, machines: int, factories: int, first_seq: int) -> None:
    """Publish ``messages`` telemetry messages (QoS 0, as machines send them), round-robin over
    the machines, each machine's ``seq`` continuing where its last backlog stopped."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, clean_session=True)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    topics = [topic(factory_of(n, factories), f"m{n}", "telemetry") for n in range(machines)]
    now = int(time.time() * 1000)
    last = None
    for n in range(messages):
        seq = (first_seq + n // machines) % 256
        body = {"seq": seq, "state": "running", "power_kw": 4.2, "parts": n, "ts": now + n}
        last = client.publish(topics[n % machines], json.dumps(body), qos=0)
    assert last is not None
    last.wait_for_publish(60)
    client.loop_stop()
    client.disconnect()


async def peer(port: int, client_id: str, messages: int) -> float:
    started = time.perf_counter()
    async with aiomqtt.Client("127.0.0.1", port, identifier=client_id, clean_session=False) as c:
        count = 0
        async for _ in c.messages:
            count += 1
            if count == messages:
                break
    return time.perf_counter() - started


async def c2m(port: int, client_id: str, messages: int, url: str, lead: str | None) -> float:
    """One worker draining its session; with ``lead``, it writes that factory's messages only."""
    db = Database(url)
    broker = BrokerConnection("127.0.0.1", port)
    worker = IngestWorker(db, broker, lease_s=600, client_id=client_id)
    if lead is not None:
        worker.lead({lead})
    started = time.perf_counter()
    task = asyncio.create_task(worker.run())
    while worker.stats.telemetry < messages:
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    db.dispose()
    if worker.stats.dropped or worker.stats.gaps:
        raise SystemExit(f"c2m dropped {worker.stats.dropped}, saw {worker.stats.gaps} gaps")
    return elapsed


def c2m_process(port: int, client_id: str, messages: int, url: str, lead: str | None) -> float:
    return asyncio.run(c2m(port, client_id, messages, url, lead))


async def c2m_workers(port: int, client_id: str, messages: int, url: str, workers: int) -> float:
    """``workers`` worker processes at once, each timed from its connection (not from the
    process start, which the peer does not pay either); the slowest one's time counts."""
    if workers == 1:
        return await c2m(port, client_id, messages, url, None)
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        shares = [
            loop.run_in_executor(
                pool,
                c2m_process,
                port,
                f"{client_id}-{n}",
                messages // workers,
                url,
                f"{FACTORY}{n}",
            )
            for n in range(workers)
        ]
        return max(await asyncio.gather(*shares))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--machines", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="c2m worker processes")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    console = Console()
    rates: dict[str, list[float]] = {"c2m": [], "peer": []}
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.db, Path(tmp)) as url,
        own_mosquitto(Path(tmp)) as port,
    ):
        if args.machines % args.workers or args.messages % args.machines:
            raise SystemExit("--machines must divide --messages, and --workers --machines")
        register(url, args.machines, args.workers)
        runs: list[tuple[str, Callable[[str], Awaitable[float]]]] = [
            ("peer", lambda cid: peer(port, cid, args.messages)),
            ("c2m", lambda cid: c2m_workers(port, cid, args.messages, url, args.workers)),
        ]
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("draining backlogs", total=args.rounds * 2)
            for round_no in range(args.rounds):
                for name, drain in runs:
                    client_id = f"bench-{name}-{round_no}"
                    sessions = 1 if name == "peer" or args.workers == 1 else args.workers
                    for n in range(sessions):
                        subscribe(port, client_id if sessions == 1 else f"{client_id}-{n}")
                    # each machine's seq goes on from its previous round, without a gap
                    seq = round_no * -(-args.messages // args.machines)
                    backlog(port, args.messages, args.machines, args.workers, seq)
                    elapsed = asyncio.run(drain(client_id))
                    rates[name].append(args.messages / elapsed)
                    progress.advance(task)
    report(console, args, rates)


def report(console: Console, args: argparse.Namespace, rates: dict[str, list[float]]) -> None:
    table = Table(title="Telemetry ingest through Mosquitto (messages per second)")
    for column in ("contender", "median", "min", "max"):
        table.add_column(column, justify="right" if column != "contender" else "left")
    rows = []
    workers = (
        f"{args.workers} c2m IngestWorker processes" if args.workers > 1 else "c2m IngestWorker"
    )
    for name, label in (("c2m", f"{workers} into {args.db}"), ("peer", "peer: count only")):
        values = rates[name]
        cells = [f"{statistics.median(values):,.0f}", f"{min(values):,.0f}", f"{max(values):,.0f}"]
        table.add_row(label, *cells)
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    console.print(table)
    ours, theirs = statistics.median(rates["c2m"]), statistics.median(rates["peer"])
    ratio = ours / theirs
    verdict = (
        "meets both targets"
        if ratio >= MIN_RATIO and ours >= MIN_RATE
        else "MISSES a target (>= 0.5 of the peer and >= 10,000/s)"
    )
    summary = f"c2m / peer = **{ratio:.2f}** at **{ours:,.0f} messages/s**: {verdict}."
    console.print(summary)
    if args.record:
        title = (
            f"{args.messages:,} messages from {args.machines} machines, {args.rounds} rounds, "
            f"{args.db}, {args.workers} worker(s)"
        )
        columns = ("contender", "median", "min", "max")
        entry = run_entry(title, columns, rows, summary)
        intro = (__doc__ or "").split("\n\n    uv run")[0]
        append_section("Telemetry ingest", intro + "\n\n" + SHARED_CPU_NOTE, entry)


if __name__ == "__main__":
    main()
