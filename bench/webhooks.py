"""Benchmark: webhook deliveries, commit to receiver, against a bare aiohttp POST loop.

``--subscribers`` webhooks (10) of one micro-enterprise all ask for ``order.placed``; a thread
places orders at ``--rate`` events a second (100) for ``--seconds`` (20), each in its own
committed transaction, while the platform's worker half runs in this process (outbox relay,
the webhooks handler writing deliveries, the sender posting them signed). The receiver is a
separate uvicorn process that notes, for every POST, its arrival minus the event's time
(``data.at``, stamped inside the committing transaction, so it slightly over-counts).

The peer, in the same run and against the same receiver: an asyncio loop that, at the same
rate, POSTs each event's JSON body to the same ``--subscribers`` URLs with one shared
``aiohttp.ClientSession``, the sender's client (no database, no signing, no retries); its
latency is arrival minus the moment the loop made the event. Target: p99 < 1 s for c2m.

    uv run python bench/webhooks.py
    uv run python bench/webhooks.py --db postgresql
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from rich.console import Console
from rich.table import Table

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    SHARED_CPU_NOTE,
    append_section,
    free_port,
    fresh_database,
    run_entry,
    seed,
)

if TYPE_CHECKING:
    from c2m.bootstrap import Platform

TARGET_P99_S = 1.0
CONCURRENCY = 32  # requests in flight at once, as the sender's default C2M_WEBHOOK_CONCURRENCY
HEADING = "Webhook delivery"
INTRO = """`bench/webhooks.py`: webhooks of one micro-enterprise subscribed to `order.placed`
while orders are placed at a steady rate, each in its own committed transaction; the worker half
(outbox relay, the webhooks handler, the sender) runs in the benchmark process and a separate
uvicorn process receives. Latency = arrival at the receiver minus the event's `at` (stamped inside
the committing transaction). Peer in the same run: a bare `aiohttp.ClientSession` loop (the
sender's client) POSTing the same number of bodies to the same receiver at the same rate, 32 at a
time like the sender (no database, no signing, no retries). Target: p99 < 1 s."""


# --- the receiver (a child process) ----------------------------------------------------------


def receiver_app() -> Any:
    """A raw ASGI app: POST notes (arrival, arrival minus the body's time); GET /latencies hands
    them over (and forgets them)."""
    latencies: list[tuple[float, float]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        answer = b""
        if scope["method"] == "POST":
            sent = json.loads(body)
            at = sent["data"]["at"] if "data" in sent else sent["timestamp"]
            now = time.time()
            latencies.append((now, now - datetime.fromisoformat(at).timestamp()))
        else:
            answer = json.dumps(latencies).encode()
            latencies.clear()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": answer})

    return app


def serve_receiver(port: int) -> None:
    import uvicorn

    uvicorn.run(receiver_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_receiver() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    child = subprocess.Popen([sys.executable, __file__, "--receiver", str(port)])
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + "/latencies", timeout=1)
            return child, url
        except httpx.HTTPError:
            time.sleep(0.05)
    child.kill()
    raise SystemExit("the receiver did not start")


def collect(url: str, expected: int, patience_s: float) -> list[tuple[float, float]]:
    """Every (arrival, latency) noted, waiting up to ``patience_s`` after the last event for
    stragglers."""
    got: list[tuple[float, float]] = []
    deadline = time.monotonic() + patience_s
    while len(got) < expected and time.monotonic() < deadline:
        time.sleep(0.25)
        got += httpx.get(url + "/latencies", timeout=10).json()
    return got


# --- the two contenders ----------------------------------------------------------------------


def paced(rate: float, count: int, act: Callable[[], None]) -> None:
    """Call ``act`` ``count`` times at ``rate`` a second."""
    started = time.perf_counter()
    for number in range(count):
        wait = started + number / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        act()


def run_c2m(database_url: str, workdir: Path, receiver: str, args: argparse.Namespace) -> Platform:
    """Place orders at the rate with the worker half running; returns the running platform
    (shut it down once the deliveries are collected)."""
    from sqlalchemy import select

    from c2m.bootstrap import build_platform
    from c2m.domains.integrations import subscriptions
    from c2m.domains.integrations.schemas import NewSubscription
    from c2m.domains.integrations.subscriptions import Keys
    from c2m.domains.orders import placement
    from c2m.domains.orders.schemas import NewLine, NewOrder
    from c2m.domains.platform.actor import Actor
    from c2m.domains.platform.models import User
    from c2m.settings import Settings

    seeded = seed(database_url, customers=1)
    settings = Settings(
        database_url=database_url,
        data_dir=workdir,
        secret_key="bench-" + "k" * 40,
        webhook_allow_loopback=True,
    )
    platform = build_platform(settings, tier="worker")
    with platform.db.read() as session:
        owner = session.scalars(select(User).where(User.email == "maker@bench.example")).one()
        customer = session.get(User, seeded.customers[0][0])
        assert customer is not None
        owner_actor, customer_actor = Actor.of(owner), Actor.of(customer)
    keys = Keys(settings.secret_key, allow_loopback=True)
    with platform.db.write() as session:
        for number in range(args.subscribers):
            hook = NewSubscription(url=f"{receiver}/hook/{number}", events=["order.placed"])
            subscriptions.create(session, owner_actor, hook, keys)
    order = NewOrder(lines=[NewLine(product_id=seeded.product_id, quantity=1)])

    def place() -> None:
        with platform.db.write() as session:
            placement.insert_prepared(
                session, placement.prepare_order(session, customer_actor, order)
            )

    platform.start()
    paced(args.rate, args.events, place)
    return platform


def run_peer(receiver: str, args: argparse.Namespace) -> None:
    """The same bodies POSTed by a bare aiohttp loop at the same rate."""
    import aiohttp

    async def main() -> None:
        slots = asyncio.Semaphore(CONCURRENCY)

        async def post(client: aiohttp.ClientSession, url: str, body: bytes) -> None:
            async with slots, client.post(url, data=body) as answer:
                answer.raise_for_status()

        connector = aiohttp.TCPConnector(limit=CONCURRENCY)
        async with aiohttp.ClientSession(connector=connector) as client:
            pending: set[asyncio.Task[None]] = set()
            started = time.perf_counter()
            for number in range(args.events):
                wait = started + number / args.rate - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                body = json.dumps({"type": "order.placed", "timestamp": _now()}).encode()
                for hook in range(args.subscribers):
                    url = f"{receiver}/hook/{hook}"
                    pending.add(asyncio.create_task(post(client, url, body)))
            await asyncio.gather(*pending)

    asyncio.run(main())


def _now() -> str:
    return datetime.now(UTC).isoformat()


# --- the report ------------------------------------------------------------------------------


def figures(noted: list[tuple[float, float]], expected: int) -> dict[str, float]:
    """Latency percentiles, and deliveries a second from the first event to the last arrival."""
    ordered = sorted(latency for _, latency in noted)
    if not ordered:
        return {"delivered": 0, "expected": expected, "p50": 0, "p99": 0, "max": 0, "rate": 0}
    return {
        "delivered": len(ordered),
        "expected": expected,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
        "rate": len(ordered)
        / (max(a for a, _ in noted) - min(a - latency for a, latency in noted)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100.0, help="events a second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--patience", type=float, default=30.0, help="wait for stragglers")
    parser.add_argument("--receiver", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true", help="leave docs/benchmarks.md be")
    args = parser.parse_args()
    if args.receiver:
        serve_receiver(args.receiver)
        return
    args.events = round(args.rate * args.seconds)
    expected = args.events * args.subscribers
    child, receiver = start_receiver()
    try:
        run_peer(receiver, args)
        peer = figures(collect(receiver, expected, args.patience), expected)
        with (
            tempfile.TemporaryDirectory() as workdir,
            fresh_database(args.db, Path(workdir)) as url,
        ):
            platform = run_c2m(url, Path(workdir), receiver, args)
            try:
                c2m = figures(collect(receiver, expected, args.patience), expected)
            finally:
                platform.shutdown()
    finally:
        child.kill()
    report(args, c2m, peer)


def report(args: argparse.Namespace, c2m: dict[str, float], peer: dict[str, float]) -> None:
    table = Table(title=f"webhooks, {args.db}")
    table.add_column("figure")
    table.add_column("c2m", justify="right")
    table.add_column("bare aiohttp loop", justify="right")
    rows = [
        ("deliveries", "{delivered:,.0f} of {expected:,.0f}"),
        ("deliveries a second", "{rate:,.0f}"),
        ("p50 latency", "{p50_ms:.1f} ms"),
        ("p99 latency", "{p99_ms:.1f} ms"),
        ("max latency", "{max_ms:.1f} ms"),
    ]
    markdown = []
    for label, pattern in rows:
        cells = [
            pattern.format(
                **f, p50_ms=f["p50"] * 1000, p99_ms=f["p99"] * 1000, max_ms=f["max"] * 1000
            )
            for f in (c2m, peer)
        ]
        table.add_row(label, *cells)
        markdown.append(f"| {label} | {cells[0]} | {cells[1]} |")
    Console().print(table)
    ratio = c2m["p99"] / peer["p99"] if peer["p99"] else float("inf")
    verdict = (
        "meets" if c2m["p99"] < TARGET_P99_S and c2m["delivered"] == c2m["expected"] else "misses"
    )
    summary = (
        f"with {args.subscribers} subscribers x {args.rate:g} events/s, c2m's p99 is "
        f"**{c2m['p99'] * 1000:.0f} ms** ({verdict} the < 1 s target), {ratio:.1f} x the bare "
        "loop's p99."
    )
    Console().print(summary)
    if not args.no_record:
        title = f"{args.db}, {args.subscribers} subscribers, {args.rate:g} events/s"
        entry = run_entry(
            title,
            ["figure", "c2m", "bare aiohttp loop"],
            markdown,
            f"{summary} {SHARED_CPU_NOTE}",
        )
        append_section(HEADING, INTRO, entry)


if __name__ == "__main__":
    main()
