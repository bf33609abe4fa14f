"""What one web process costs to start: the import of the app (wall time, peak RSS, modules)
and a restart of ``c2m serve`` until it answers, against a bare FastAPI + SQLAlchemy app as the
peer, interleaved in the same run. Appends to docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import resource
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
the import of the app in a fresh interpreter (wall and CPU time, peak RSS, modules loaded) and a
restart until `/healthz` answers on an existing database (the peer: uvicorn serving one route
with a SQLAlchemy engine). Each is timed twice: compiling every module from source (no bytecode
cache, as under `PYTHONDONTWRITEBYTECODE=1` with no `__pycache__`) and with the bytecode cached
(as on a server whose install compiled it, or that started once before). Targets: RSS < 150 MB
and import < 2 s.

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


@dataclass(frozen=True)
class Bytecode:
    """How a child process gets its modules' bytecode: ``variables`` set in its environment."""

    label: str
    variables: dict[str, str]

    @classmethod
    def modes(cls, workdir: Path) -> tuple[Bytecode, Bytecode]:
        """Compiling from source every time (an empty cache it may not write to), and reading
        one cache that a first, untimed run filled."""
        (workdir / "empty-pycache").mkdir()
        compiling = {
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPYCACHEPREFIX": str(workdir / "empty-pycache"),
        }
        cached = {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(workdir / "pycache")}
        return cls("compiling", compiling), cls("bytecode cached", cached)


@dataclass
class Figures:
    name: str
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    modules: int = 0

    def median(self) -> float:
        return statistics.median(self.seconds)

    def row(self) -> tuple[str, ...]:
        cpu = f"{statistics.median(self.cpu_seconds):.2f}" if self.cpu_seconds else "-"
        rss = f"{statistics.median(self.rss_mb):.0f}" if self.rss_mb else "-"
        modules = f"{self.modules:,}" if self.modules else "-"
        return (self.name, f"{self.median():.2f}", cpu, rss, modules)


def timed_import(statement: str, bytecode: Bytecode, into: Figures | None = None) -> None:
    """Wall time, CPU time and peak RSS of a fresh interpreter running ``statement`` (``into``
    None: a warm-up, not counted). The CPU time (user + system) is what the import costs; on a
    shared machine the wall time adds the wait for a core."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", statement + REPORT],
        env={**os.environ, **bytecode.variables},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if into is None:
        return
    into.seconds.append(time.perf_counter() - started)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    into.cpu_seconds.append(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
    modules, peak_kb = out.split()[-2:]
    into.rss_mb.append(int(peak_kb) / 1024)
    into.modules = int(modules)


def timed_start(server: ServerProcess, into: Figures) -> None:
    started = time.perf_counter()
    server.start(timeout=120)
    into.seconds.append(time.perf_counter() - started)
    server.kill()


def measure(rounds: int, workdir: Path, url: str) -> dict[str, list[Figures]]:
    """Per bytecode mode: the c2m import, the peer's, the c2m restart, the peer's."""
    (workdir / "peer_app.py").write_text(PEER_APP)
    c2m_port, peer_port = free_port(), free_port()
    results: dict[str, list[Figures]] = {}
    plan = []
    for bytecode in Bytecode.modes(workdir):
        c2m_env = server_env(url, workdir, **bytecode.variables)
        c2m = ServerProcess(c2m_env, c2m_port, workdir / "c2m.log")
        peer_env = {**os.environ, **bytecode.variables, "PYTHONPATH": str(workdir)}
        peer = ServerProcess(
            peer_env, peer_port, workdir / "peer.log", module="uvicorn", arguments=("peer_app:app",)
        )
        # The first start settles the database and fills the cache; restarts are timed.
        for server in (c2m, peer):
            server.start(timeout=120)
            server.kill()
        for statement in ("import c2m.web.app", "import fastapi, sqlalchemy"):
            timed_import(statement, bytecode)
        figures = [
            Figures(f"import `c2m.web.app`, {bytecode.label}"),
            Figures(f"peer: import `fastapi, sqlalchemy`, {bytecode.label}"),
            Figures(f"`c2m serve` restart until it answers, {bytecode.label}"),
            Figures(f"peer: uvicorn + FastAPI app until it answers, {bytecode.label}"),
        ]
        plan.append((bytecode, c2m, peer, figures))
        results[bytecode.label] = figures
    for _ in range(rounds):
        for bytecode, c2m, peer, (c2m_import, peer_import, c2m_start, peer_start) in plan:
            timed_import("import c2m.web.app", bytecode, c2m_import)
            timed_import("import fastapi, sqlalchemy", bytecode, peer_import)
            timed_start(c2m, c2m_start)
            timed_start(peer, peer_start)
    return results


def verdict(label: str, figures: list[Figures]) -> str:
    c2m_import, peer_import, c2m_start, peer_start = figures
    rss = statistics.median(c2m_import.rss_mb)
    met = rss < TARGET_RSS_MB and c2m_import.median() < TARGET_IMPORT_S
    return (
        f"{label}, import {c2m_import.median():.2f} s "
        f"(CPU {statistics.median(c2m_import.cpu_seconds):.2f} s, "
        f"{c2m_import.median() / peer_import.median():.1f}x the peer), {rss:.0f} MiB "
        f"({rss / statistics.median(peer_import.rss_mb):.1f}x), restart to first answer "
        f"{c2m_start.median():.2f} s ({c2m_start.median() / peer_start.median():.1f}x): "
        f"{'meets' if met else 'MISSES'} the targets"
    )


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
    summary = "; ".join(verdict(label, figures) for label, figures in results.items())
    summary += f" (targets < {TARGET_RSS_MB} MB, < {TARGET_IMPORT_S:g} s)"
    columns = ("what", "median s", "median CPU s", "max RSS MiB", "modules")
    table = Table(title=f"Web tier start-up, {args.rounds} rounds, load {load:.1f}")
    for column in columns:
        table.add_column(column, justify="left" if column == "what" else "right")
    rows = [figures.row() for mode in results.values() for figures in mode]
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
