"""Live timeline fan-out: thousands of SSE subscribers on one server process.

Subscribers (raw asyncio connections, spread over several client processes so that the client side
does not become the bottleneck) follow ``GET /api/v1/orders/{id}/events`` as Server-Sent Events,
evenly spread over ``--orders`` orders. The enterprise owner then puts orders on hold and resumes
them through the API at ``--rate`` changes per second; each change is one timeline event. The delay
of a delivery is the subscriber's clock at arrival minus the event's ``at`` (taken inside the
committing transaction, just before the commit: a slight over-estimate). Target: p99 < 250 ms.

    uv run python bench/sse_fanout.py --subscribers 2000 --orders 200
    uv run python bench/sse_fanout.py --subscribers 2000 --orders 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from rich.console import Console
from rich.table import Table

from bench.harness import (
    SHARED_CPU_NOTE,
    ServerProcess,
    append_section,
    command_line,
    free_port,
    fresh_database,
    machine,
    seed,
    server_env,
    stamp,
)
from bench.rawhttp import read_response, request_bytes

TARGET_P99_MS = 250.0
HEADING = "Live timeline fan-out"
INTRO = f"""\
`bench/sse_fanout.py`: concurrent `text/event-stream` subscribers to
`GET /api/v1/orders/{{id}}/events` on one uvicorn worker process, spread evenly over a number of
orders; the enterprise owner then puts orders on hold and resumes them through the API at a
steady rate. Delay = arrival at the subscriber minus the event's `at` (stamped inside the
committing transaction, so it slightly over-counts). Subscribers run in separate client
processes on the same machine. Target: p99 < {TARGET_P99_MS:.0f} ms.

{SHARED_CPU_NOTE}"""


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# -- subscribers (child processes) -----------------------------------------------------------


async def _subscribe(
    port: int,
    token: str,
    order_id: str,
    after: int,
    delays: list[float],
    connected: asyncio.Event,
    counter: list[int],
    total: int,
    gate: asyncio.Semaphore,
) -> None:
    async with gate:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        writer.write(
            request_bytes(
                "GET",
                f"/api/v1/orders/{order_id}/events",
                {
                    "Authorization": f"Bearer {token}",
                    "Accept": "text/event-stream",
                    "Last-Event-ID": str(after),
                },
            )
        )
        status_line = await reader.readline()
        if b" 200 " not in status_line:
            raise RuntimeError(f"subscription refused: {status_line!r}")
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
    counter[0] += 1
    if counter[0] == total:
        connected.set()
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"data:"):
                arrived = time.time()
                event = json.loads(line[5:])
                delays.append(arrived - datetime.fromisoformat(event["at"]).timestamp())
    finally:
        writer.close()


async def _subscriber_main(
    port: int, token: str, plan: list[tuple[str, int]], ready: Any, stop: Any
) -> list[float]:
    delays: list[float] = []
    connected = asyncio.Event()
    gate = asyncio.Semaphore(32)
    counter = [0]
    tasks = [
        asyncio.create_task(
            _subscribe(port, token, oid, after, delays, connected, counter, len(plan), gate)
        )
        for oid, after in plan
    ]
    await connected.wait()
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return delays


def _subscriber_process(
    port: int, token: str, plan: list[tuple[str, int]], ready: Any, stop: Any, out: Any
) -> None:
    raise_fd_limit()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    out.put(asyncio.run(_subscriber_main(port, token, plan, ready, stop)))


# -- the state changer (parent) --------------------------------------------------------------


async def _change_states(
    port: int, owner_token: str, orders: list[str], events: int, rate: float
) -> int:
    """Hold and resume orders round-robin, ``rate`` changes per second; returns failures."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    held: set[str] = set()
    failures = 0
    start = time.perf_counter()
    for number in range(events):
        await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
        order_id = orders[number % len(orders)]
        target = "paid" if order_id in held else "on_hold"
        body = json.dumps({"to": target}).encode()
        writer.write(
            request_bytes(
                "POST",
                f"/api/v1/orders/{order_id}/advance",
                {"Authorization": f"Bearer {owner_token}", "Content-Type": "application/json"},
                body,
            )
        )
        status, _ = await read_response(reader)
        if status == 200:
            held.symmetric_difference_update({order_id})
        else:
            failures += 1
    writer.close()
    return failures


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="SSE fan-out: many live-timeline subscribers on one server process; p50/p99 "
        "delay from commit to delivery; appends the figures to docs/benchmarks.md."
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=200, help="orders the subscribers follow")
    parser.add_argument("--events", type=int, default=400, help="state changes to make")
    parser.add_argument("--rate", type=float, default=40, help="state changes per second")
    parser.add_argument("--client-procs", type=int, default=2, help="subscriber processes")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="C2M_NAME=VALUE",
        help="extra setting for the server (repeatable), e.g. C2M_SSE_POLL_SECONDS=2",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    raise_fd_limit()
    extra_env = dict(item.split("=", 1) for item in args.server_env)
    console = Console()
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.db, Path(tmp)) as url:
        seeded = seed(url, customers=4)
        env = server_env(url, Path(tmp), **extra_env)
        server = ServerProcess(env, free_port(), Path(tmp) / "server.log", "bench.bench_server")
        server.start()
        try:
            orders: list[str] = []
            with httpx.Client(base_url=server.url, timeout=30) as client:
                for number in range(args.orders):
                    _, token = seeded.customers[number % len(seeded.customers)]
                    headers = {"Authorization": f"Bearer {token}"}
                    line = {"product_id": seeded.product_id, "quantity": 1}
                    placed = client.post("/api/v1/orders", json={"lines": [line]}, headers=headers)
                    placed.raise_for_status()
                    order_id = placed.json()["id"]
                    paid = client.post(
                        f"/api/v1/orders/{order_id}/pay",
                        json={"payment_method": "test-ok"},
                        headers=headers,
                    )
                    paid.raise_for_status()
                    orders.append(order_id)
                last_seq = {
                    o: client.get(
                        f"/api/v1/orders/{o}",
                        headers={"Authorization": f"Bearer {seeded.owner_token}"},
                    ).json()["last_seq"]
                    for o in orders
                }
            plans: list[list[tuple[str, int]]] = [[] for _ in range(args.client_procs)]
            for number in range(args.subscribers):
                order_id = orders[number % len(orders)]
                plans[number % args.client_procs].append((order_id, last_seq[order_id]))
            ready = [ctx.Event() for _ in plans]
            stop = ctx.Event()
            out = ctx.Queue()
            procs = [
                ctx.Process(
                    target=_subscriber_process,
                    args=(server.port, seeded.owner_token, plan, ready[i], stop, out),
                )
                for i, plan in enumerate(plans)
            ]
            for proc in procs:
                proc.start()
            with console.status(f"Connecting {args.subscribers} subscribers…"):
                connect_started = time.monotonic()
                for event in ready:
                    if not event.wait(180):
                        raise RuntimeError("the subscribers did not all connect within 180 s")
                connect_seconds = time.monotonic() - connect_started
            time.sleep(1.0)
            with console.status(f"{args.events} state changes at {args.rate:g}/s…"):
                failures = asyncio.run(
                    _change_states(server.port, seeded.owner_token, orders, args.events, args.rate)
                )
                time.sleep(3.0)  # let the last deliveries arrive
            stop.set()
            delays: list[float] = []
            for _ in procs:
                delays += out.get(timeout=60)
            for proc in procs:
                proc.join(10)
        finally:
            server.stop()
    per_order = args.subscribers / args.orders
    expected = round(args.events * per_order)
    p50, p99 = _percentile(delays, 0.5), _percentile(delays, 0.99)
    worst = 1000 * max(delays) if delays else float("nan")
    verdict = "meets" if p99 < TARGET_P99_MS else "MISSES"
    tried = "".join(f", {item}" for item in args.server_env)
    table = Table(title=f"SSE fan-out on {args.db}{tried}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("subscribers", f"{args.subscribers:,} over {args.orders} orders ({per_order:g} each)"),
        ("state changes", f"{args.events} at {args.rate:g}/s ({failures} refused)"),
        ("deliveries", f"{len(delays):,} of {expected:,} expected"),
        ("connect time", f"{connect_seconds:.1f} s"),
        ("p50 delay", f"{p50:.1f} ms"),
        ("p99 delay", f"{p99:.1f} ms"),
        ("max delay", f"{worst:.1f} ms"),
    ]
    for row in rows:
        table.add_row(*row)
    table.caption = f"p99 {verdict} the < {TARGET_P99_MS:.0f} ms target"
    console.print(table)
    if not args.no_doc:
        body = "\n".join(f"| {name} | {value} |" for name, value in rows)
        append_section(
            HEADING,
            INTRO,
            f"""\
### {args.db}, {args.subscribers:,} subscribers over {args.orders} orders{tried}, {stamp()}

`{command_line()}` on {machine()}

| figure | value |
|---|---:|
{body}

p99 **{p99:.0f} ms** ({verdict} the < {TARGET_P99_MS:.0f} ms target).""",
        )
    return 0 if len(delays) == expected and failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
