"""What one web process costs to start: the import of the app (wall time, peak RSS, modules)
and a restart of ``c2m serve`` until it answers, against a bare FastAPI + SQLAlchemy app as the
peer, interleaved in the same run. Appends to docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from bench.harness import (
    SHARED_CPU_NOTE,
    ServerProcess,
    append_section,
    free_port,
    fresh_database,
    run_entry,
    server_env,
)

HEADING = "Web tier footprint"
INTRO = f"""\
`bench/web_footprint.py`: what one `c2m serve` process (or each `uvicorn --workers N` worker)
pays to start, against a bare FastAPI + SQLAlchemy app as the peer, alternating in the same run:
the import of the app in a fresh interpreter (wall time, peak RSS, modules loaded) and a restart
until `/healthz` answers on an existing database (the peer: uvicorn serving one route with a
SQLAlchemy engine). Targets: RSS < 150 MB and import < 2 s.

{SHARED_CPU_NOTE}"""
TARGET_RSS_MB = 150
TARGET_IMPORT_S = 2.0
PEER_APP = """
from fastapi import FastAPI
from sqlalchemy import create_engine, text

engine = create_engine("sqlite://")
app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, bool]:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"ok": True}
"""
# Peak RSS as the child's own memory map saw it (VmHWM): the rusage of a child forked from this
# big process would count the parent's pages it held before exec.
REPORT = (
    "; import sys, re; print(len(sys.modules), "
    "re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
)


@dataclass
class Figures:
    name: str
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    modules: int = 0

    def median(self) -> float:
        return statistics.median(self.seconds)

    def row(self) -> tuple[str, ...]:
        rss = f"{statistics.median(self.rss_mb):.0f}" if self.rss_mb else "-"
        modules = f"{self.modules:,}" if self.modules else "-"
        return (self.name, f"{self.median():.2f}", rss, modules)


def timed_import(statement: str, into: Figures) -> None:
    """Wall time and peak RSS of a fresh interpreter running ``statement``."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", statement + REPORT], capture_output=True, text=True, check=True
    ).stdout
    into.seconds.append(time.perf_counter() - started)
    modules, peak_kb = out.split()[-2:]
    into.rss_mb.append(int(peak_kb) / 1024)
    into.modules = int(modules)


def timed_start(server: ServerProcess, into: Figures) -> None:
    started = time.perf_counter()
    server.start(timeout=120)
    into.seconds.append(time.perf_counter() - started)
    server.kill()


def measure(rounds: int, workdir: Path, url: str) -> list[Figures]:
    c2m_import = Figures("import `c2m.web.app`")
    peer_import = Figures("peer: import `fastapi, sqlalchemy`")
    c2m_start = Figures("`c2m serve` restart until it answers")
    peer_start = Figures("peer: uvicorn + FastAPI app until it answers")
    (workdir / "peer_app.py").write_text(PEER_APP)
    c2m = ServerProcess(server_env(url, workdir), free_port(), workdir / "c2m.log")
    peer_env = {**os.environ, "PYTHONPATH": str(workdir)}
    peer = ServerProcess(
        peer_env, free_port(), workdir / "peer.log", module="uvicorn", arguments=("peer_app:app",)
    )
    c2m.start(timeout=120)  # the first start settles the database; restarts are timed
    c2m.kill()
    for _ in range(rounds):
        timed_import("import c2m.web.app", c2m_import)
        timed_import("import fastapi, sqlalchemy", peer_import)
        timed_start(c2m, c2m_start)
        timed_start(peer, peer_start)
    return [c2m_import, peer_import, c2m_start, peer_start]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start-up cost of one web process against a bare FastAPI + SQLAlchemy app; "
        "appends to docs/benchmarks.md."
    )
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    console = Console()
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database("sqlite", Path(tmp)) as url,
        console.status(f"{args.rounds} interleaved rounds…"),
    ):
        results = measure(args.rounds, Path(tmp), url)
    load = os.getloadavg()[0]
    c2m_import, peer_import, c2m_start, peer_start = results
    rss = statistics.median(c2m_import.rss_mb)
    met = rss < TARGET_RSS_MB and c2m_import.median() < TARGET_IMPORT_S
    summary = (
        f"import {c2m_import.median():.2f} s ({c2m_import.median() / peer_import.median():.1f}x "
        f"the peer), {rss:.0f} MiB ({rss / statistics.median(peer_import.rss_mb):.1f}x); "
        f"restart to first answer {c2m_start.median():.2f} s "
        f"({c2m_start.median() / peer_start.median():.1f}x): "
        f"{'meets' if met else 'MISSES'} the targets (< {TARGET_RSS_MB} MB, "
        f"< {TARGET_IMPORT_S:g} s)"
    )
    columns = ("what", "median s", "max RSS MiB", "modules")
    table = Table(title=f"Web tier start-up, {args.rounds} rounds, load {load:.1f}")
    for column in columns:
        table.add_column(column, justify="left" if column == "what" else "right")
    rows = [figures.row() for figures in results]
    for row in rows:
        table.add_row(*row)
    table.caption = summary
    console.print(table)
    if not args.no_doc:
        markdown = [f"| {' | '.join(row)} |" for row in rows]
        title, note = f"{args.rounds} interleaved rounds", f" (load average {load:.1f} at the end)"
        append_section(HEADING, INTRO, run_entry(title, columns, markdown, summary + ".", note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
