"""Live timeline fan-out: thousands of SSE subscribers on one server process, or spread over two.

Subscribers (raw asyncio connections, spread over several client processes so that the client side
does not become the bottleneck) follow ``GET /api/v1/orders/{id}/events`` as Server-Sent Events,
evenly spread over ``--orders`` orders. The enterprise owner then puts orders on hold and resumes
them through the API at ``--rate`` changes per second; each change is one timeline event. The delay
of a delivery is the subscriber's clock at arrival minus the event's ``at`` (taken inside the
committing transaction, just before the commit: a slight over-estimate). Target: p99 < 250 ms.

With ``--web 2`` two ``c2m serve`` processes share one PostgreSQL database, the subscribers of each
order are split evenly over them and every change goes through web A: the delay on web B
(cross-process, by LISTEN/NOTIFY) is measured against the delay on web A, the committing process,
as its peer. Target: B's p99 < 100 ms.

    uv run python bench/sse_fanout.py --subscribers 2000 --orders 200
    uv run python bench/sse_fanout.py --subscribers 2000 --orders 4
    uv run python bench/sse_fanout.py --db postgresql --subscribers 2000 --web 2
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
    Seeded,
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
CROSS_TARGET_P99_MS = 100.0
HEADING = "Live timeline fan-out"
CROSS_HEADING = "Cross-process live delay"
WEB_NAMES = "AB"
INTRO = f"""\
`bench/sse_fanout.py`: concurrent `text/event-stream` subscribers to
`GET /api/v1/orders/{{id}}/events` on one uvicorn worker process, spread evenly over a number of
orders; the enterprise owner then puts orders on hold and resumes them through the API at a
steady rate. Delay = arrival at the subscriber minus the event's `at` (stamped inside the
committing transaction, so it slightly over-counts). Subscribers run in separate client
processes on the same machine. Target: p99 < {TARGET_P99_MS:.0f} ms.

{SHARED_CPU_NOTE}"""
CROSS_INTRO = f"""\
`bench/sse_fanout.py --web 2`: two `c2m serve` processes (the web tier only, no outbox relay) on
one PostgreSQL database. The subscribers of every order are split evenly over both; the orders are
placed and every hold and resume is made through web A. Web B hears of each committed timeline
event only by PostgreSQL LISTEN/NOTIFY (migration 0009's trigger), with the `C2M_SSE_POLL_SECONDS`
poll as the safety net. Web A hears of its own commits the same way (a web process relays no
outbox), so the peer differs from B only in being the process that committed: the same delivery
path on the busier process. Delay as in "Live timeline fan-out". Target: web B's p99 <
{CROSS_TARGET_P99_MS:.0f} ms.

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
    ports: list[int], token: str, plan: list[tuple[int, str, int]], ready: Any, stop: Any
) -> list[list[float]]:
    """Follow each (web, order, after) of ``plan``; the delays seen on each web process."""
    delays: list[list[float]] = [[] for _ in ports]
    connected = asyncio.Event()
    gate = asyncio.Semaphore(32)
    counter = [0]
    tasks = [
        asyncio.create_task(
            _subscribe(
                ports[web], token, oid, after, delays[web], connected, counter, len(plan), gate
            )
        )
        for web, oid, after in plan
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
    ports: list[int], token: str, plan: list[tuple[int, str, int]], ready: Any, stop: Any, out: Any
) -> None:
    raise_fd_limit()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    out.put(asyncio.run(_subscriber_main(ports, token, plan, ready, stop)))


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


def _start_servers(webs: int, env: dict[str, str], tmp: Path) -> list[ServerProcess]:
    """One process: the bench server (the whole platform, as the earlier runs had it); more: each
    a ``c2m serve``, the web tier as deployed."""
    module = "bench.bench_server" if webs == 1 else "c2m.cli.main"
    servers = [
        ServerProcess(env, free_port(), tmp / f"server-{WEB_NAMES[n]}.log", module)
        for n in range(webs)
    ]
    for server in servers:
        server.start()
    return servers


def _paid_orders(url: str, seeded: Seeded, count: int) -> dict[str, int]:
    """Place and pay ``count`` orders through the server at ``url``: order id -> last seq."""
    orders: list[str] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for number in range(count):
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
        owner = {"Authorization": f"Bearer {seeded.owner_token}"}
        return {
            o: client.get(f"/api/v1/orders/{o}", headers=owner).json()["last_seq"] for o in orders
        }


def _delay_figures(delays: list[float], expected: int) -> list[str]:
    worst = 1000 * max(delays) if delays else float("nan")
    quantiles = [_percentile(delays, q) for q in (0.5, 0.95, 0.99)]
    return [f"{len(delays):,} of {expected:,} expected"] + [
        f"{value:.1f} ms" for value in [*quantiles, worst]
    ]


DELAY_FIGURES = ["deliveries", "p50 delay", "p95 delay", "p99 delay", "max delay"]


def _tables(header: list[str], rows: list[list[str]], title: str) -> tuple[Table, str]:
    """The same figures for the console and for docs/benchmarks.md."""
    table = Table(title=title)
    table.add_column(header[0])
    for name in header[1:]:
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(*row)
    lines = [
        "| " + " | ".join(header) + " |",
        "|---" + "|---:" * (len(header) - 1) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    return table, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="SSE fan-out: many live-timeline subscribers on one server process or spread "
        "over two; p50/p99 delay from commit to delivery; appends the figures to "
        "docs/benchmarks.md."
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=200, help="orders the subscribers follow")
    parser.add_argument("--events", type=int, default=400, help="state changes to make")
    parser.add_argument("--rate", type=float, default=40, help="state changes per second")
    parser.add_argument("--client-procs", type=int, default=2, help="subscriber processes")
    parser.add_argument(
        "--web",
        type=int,
        choices=[1, 2],
        default=1,
        help="server processes; 2: two `c2m serve` on one PostgreSQL database, changes made "
        "through the first, subscribers split evenly over both",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="C2M_NAME=VALUE",
        help="extra setting for the server (repeatable), e.g. C2M_SSE_POLL_SECONDS=2",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.web > 1 and args.db != "postgresql":
        parser.error("--web 2 needs --db postgresql: processes share a database server")
    raise_fd_limit()
    extra_env = dict(item.split("=", 1) for item in args.server_env)
    console = Console()
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.db, Path(tmp)) as url:
        seeded = seed(url, customers=4)
        env = server_env(url, Path(tmp), **extra_env)
        servers = _start_servers(args.web, env, Path(tmp))
        writer = servers[0]
        try:
            last_seq = _paid_orders(writer.url, seeded, args.orders)
            orders = list(last_seq)
            changes = [len(range(n, args.events, len(orders))) for n in range(len(orders))]
            plans: list[list[tuple[int, str, int]]] = [[] for _ in range(args.client_procs)]
            expected = [0] * args.web
            for number in range(args.subscribers):
                # every order followed on every web process, whatever the counts
                order = number % len(orders)
                web = number // len(orders) % args.web
                order_id = orders[order]
                plans[number % args.client_procs].append((web, order_id, last_seq[order_id]))
                expected[web] += changes[order]
            ports = [server.port for server in servers]
            ready = [ctx.Event() for _ in plans]
            stop = ctx.Event()
            out = ctx.Queue()
            procs = [
                ctx.Process(
                    target=_subscriber_process,
                    args=(ports, seeded.owner_token, plan, ready[i], stop, out),
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
                    _change_states(writer.port, seeded.owner_token, orders, args.events, args.rate)
                )
                time.sleep(3.0)  # let the last deliveries arrive
            stop.set()
            delays: list[list[float]] = [[] for _ in servers]
            for _ in procs:
                for web, seen in enumerate(out.get(timeout=60)):
                    delays[web] += seen
            for proc in procs:
                proc.join(10)
        finally:
            for server in servers:
                server.stop()
    per_order = args.subscribers / args.orders
    tried = "".join(f", {item}" for item in args.server_env)
    setup = [
        ["subscribers", f"{args.subscribers:,} over {args.orders} orders ({per_order:g} each)"],
        ["state changes", f"{args.events} at {args.rate:g}/s ({failures} refused)"],
        ["connect time", f"{connect_seconds:.1f} s"],
    ]
    complete = failures == 0 and [len(d) for d in delays] == expected
    if args.web == 1:
        p99 = _percentile(delays[0], 0.99)
        verdict = "meets" if p99 < TARGET_P99_MS else "MISSES"
        figures = _delay_figures(delays[0], expected[0])
        rows = [
            *setup,
            *([name, value] for name, value in zip(DELAY_FIGURES, figures, strict=True)),
        ]
        table, markdown = _tables(["figure", "value"], rows, f"SSE fan-out on {args.db}{tried}")
        table.caption = f"p99 {verdict} the < {TARGET_P99_MS:.0f} ms target"
        console.print(table)
        heading, intro = HEADING, INTRO
        title = f"{args.db}, {args.subscribers:,} subscribers over {args.orders} orders{tried}"
        verdict_line = f"p99 **{p99:.0f} ms** ({verdict} the < {TARGET_P99_MS:.0f} ms target)."
    else:
        setup[1][1] += " through web A"
        setup_table, setup_md = _tables(["figure", "value"], setup, f"Two web processes{tried}")
        columns = [_delay_figures(d, n) for d, n in zip(delays, expected, strict=True)]
        rows = [[name, *values] for name, *values in zip(DELAY_FIGURES, *columns, strict=True)]
        header = ["figure", "web A (commits; the peer)", "web B (cross-process)"]
        table, delay_md = _tables(header, rows, "Delay from commit to delivery")
        p99_a, p99_b = (_percentile(d, 0.99) for d in delays)
        verdict = "meets" if p99_b < CROSS_TARGET_P99_MS else "MISSES"
        table.caption = f"web B's p99 {verdict} the < {CROSS_TARGET_P99_MS:.0f} ms target"
        console.print(setup_table, table)
        markdown = f"{setup_md}\n\n{delay_md}"
        heading, intro = CROSS_HEADING, CROSS_INTRO
        title = (
            f"{args.subscribers:,} subscribers over {args.orders} orders on 2 web processes{tried}"
        )
        verdict_line = (
            f"Web B's p99 **{p99_b:.0f} ms** ({verdict} the < {CROSS_TARGET_P99_MS:.0f} ms "
            f"target), {p99_b / p99_a:.2f} times web A's {p99_a:.0f} ms."
        )
        console.print(verdict_line.replace("**", ""))
    if not args.no_doc:
        append_section(
            heading,
            intro,
            f"""\
### {title}, {stamp()}

`{command_line()}` on {machine()}

{markdown}

{verdict_line}""",
        )
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
