"""Order intake: the full order path against the floor of the same stack, in the same run.

* full path: ``POST /api/v1/orders`` with a bearer token, JSON validation, a fresh
  Idempotency-Key, the order, its line, its first timeline event, its outbox row and the stored
  idempotent response, all in one transaction;
* floor: ``POST /bench/floor`` on the same app in the same server process (mounted by
  bench/bench_server.py only), inserting one row in one write transaction.

One uvicorn worker process serves both; the load comes from raw keep-alive connections in this
process. The two paths alternate in rounds so that a burst of CPU contention from elsewhere hits
both alike. Target: full path throughput >= 0.5 x floor.

    uv run python bench/order_intake.py --db sqlite --concurrency 32 --seconds 20
    uv run python bench/order_intake.py --db postgresql --concurrency 32 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
from bench.rawhttp import LoadResult, request_bytes, run_load

TARGET = 0.5
HEADING = "Order intake"
INTRO = f"""\
`bench/order_intake.py`: the full order path (`POST /api/v1/orders` with a bearer token,
validation, a fresh `Idempotency-Key`, one transaction writing the order, its line, its first
timeline event, its outbox row and the stored response) against the floor of the same stack
(`POST /bench/floor`, mounted only in the benchmark's server, inserting one row in one write
transaction), served by one uvicorn worker process, loaded by 32 keep-alive connections from a
raw-asyncio client, alternating rounds of each path. Target: full path >= {TARGET} x floor.

{SHARED_CPU_NOTE}"""


def _order_request(tokens: list[str], product_id: str) -> Callable[[], bytes]:
    body = json.dumps({"lines": [{"product_id": product_id, "quantity": 1}]}).encode()
    cycle = itertools.cycle(tokens)

    def make() -> bytes:
        return request_bytes(
            "POST",
            "/api/v1/orders",
            {
                "Authorization": f"Bearer {next(cycle)}",
                "Idempotency-Key": uuid.uuid4().hex,
                "Content-Type": "application/json",
            },
            body,
        )

    return make


def _floor_request() -> bytes:
    return request_bytes("POST", "/bench/floor", {"Content-Type": "application/json"}, b"{}")


async def _measure(
    port: int, tokens: list[str], product_id: str, concurrency: int, seconds: float, rounds: int
) -> tuple[LoadResult, LoadResult]:
    floor, full = LoadResult("floor: POST /bench/floor"), LoadResult("full: POST /api/v1/orders")
    make_order = _order_request(tokens, product_id)
    per_round = seconds / rounds
    for _ in range(rounds):
        floor.merge(
            await run_load(
                "floor",
                "127.0.0.1",
                port,
                _floor_request,
                concurrency=concurrency,
                seconds=per_round,
            )
        )
        full.merge(
            await run_load(
                "full", "127.0.0.1", port, make_order, concurrency=concurrency, seconds=per_round
            )
        )
    return floor, full


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Order intake throughput and latency: the full order path against a bare "
        "one-row insert of the same app (the floor), in the same run; appends the figures to "
        "docs/benchmarks.md."
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--concurrency", type=int, default=32, help="open connections")
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per path")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per path")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    console = Console()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.db, Path(tmp)) as url:
        seeded = seed(url, customers=4)
        server = ServerProcess(
            server_env(url, Path(tmp)),
            free_port(),
            Path(tmp) / "server.log",
            "bench.bench_server",
        )
        server.start()
        try:
            with console.status(f"Loading {args.db} for 2 x {args.seconds:g} s…"):
                floor, full = asyncio.run(
                    _measure(
                        server.port,
                        [token for _, token in seeded.customers],
                        seeded.product_id,
                        args.concurrency,
                        args.seconds,
                        args.rounds,
                    )
                )
        finally:
            server.stop()
    ratio = full.throughput / floor.throughput if floor.throughput else float("nan")
    table = Table(title=f"Order intake on {args.db}, concurrency {args.concurrency}")
    for column in ("path", "req/s", "p50 ms", "p99 ms", "non-2xx"):
        table.add_column(column, justify="right" if column != "path" else "left")
    rows = []
    for result in (floor, full):
        errors = sum(n for s, n in result.statuses.items() if not 200 <= s < 300)
        row = (
            result.name,
            f"{result.throughput:,.0f}",
            f"{result.percentile(0.5):.1f}",
            f"{result.percentile(0.99):.1f}",
            str(errors),
        )
        rows.append(row)
        table.add_row(*row)
    verdict = "meets" if ratio >= TARGET else "MISSES"
    table.caption = f"full / floor = {ratio:.2f} ({verdict} the >= {TARGET} target)"
    console.print(table)
    if not args.no_doc:
        body = "\n".join(f"| {' | '.join(r)} |" for r in rows)
        append_section(
            HEADING,
            INTRO,
            f"""\
### {args.db}, concurrency {args.concurrency}, {stamp()}

`{command_line()}` on {machine()}

| path | req/s | p50 ms | p99 ms | non-2xx |
|---|---:|---:|---:|---:|
{body}

Full path / floor = **{ratio:.2f}** ({verdict} the >= {TARGET} target).""",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
