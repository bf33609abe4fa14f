"""Upload analysis on a loaded machine: a sound 20 mm cube uploaded through the API of a real
``c2m serve`` process (analysed in its sandbox with the default limits: 8 s, 2 slots) while busy
loops keep the cores occupied, against the peer: trimesh loading the same file in a bare
``python -c`` process, in the same run, alternating.

The first upload starts the web process's analysis server and is reported on its own; then one
upload at a time, alternating with the peer, and bursts of four uploads at once.
Targets: p95 of one upload < 1.5 s, and no upload refused for time.

    uv run python bench/upload_analysis.py --rounds 20 --bursts 5 --busy 2
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import trimesh
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

TARGET_P95_S = 1.5
BURST = 4
HEADING = "Upload analysis under load"
INTRO = f"""\
`bench/upload_analysis.py`: a sound 20 mm cube (binary STL, 12 triangles) uploaded through
`POST /api/v1/uploads` of a real `c2m serve` process, analysed in its sandbox with the default
limits (`C2M_ANALYSIS_SECONDS` 8, `C2M_ANALYSIS_SLOTS` 2), while busy-loop processes keep the
cores occupied. The peer is trimesh loading the same file (and its volume) in a bare
`python -c` process, alternating with the uploads in the same run. The first upload, which starts
the web process's analysis server, is reported on its own; bursts send {BURST} uploads at once.
Targets: p95 of one upload < {TARGET_P95_S} s, and no upload refused for time.

{SHARED_CPU_NOTE}"""
PEER = "import sys, trimesh; trimesh.load(sys.argv[1]).volume"


@dataclass
class Timings:
    name: str
    seconds: list[float] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)

    def percentile(self, share: float) -> float:
        """Nearest rank: the smallest time at least ``share`` of the runs did not exceed."""
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    def row(self) -> tuple[str, ...]:
        refused = ", ".join(f"{code} {n}" for code, n in sorted(self.refusals.items())) or "0"
        return (
            self.name,
            str(len(self.seconds)),
            f"{self.percentile(0.5):.3f}",
            f"{self.percentile(0.95):.3f}",
            f"{max(self.seconds):.3f}",
            refused,
        )


@dataclass
class Uploader:
    url: str
    enterprise_id: str
    token: str
    cube: bytes

    def upload(self, into: Timings) -> None:
        started = time.perf_counter()
        response = httpx.post(
            self.url + "/api/v1/uploads",
            params={"enterprise_id": self.enterprise_id},
            files=[("files", ("cube.stl", self.cube, "model/stl"))],
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=120,
        )
        into.seconds.append(time.perf_counter() - started)
        response.raise_for_status()
        (part,) = response.json()
        if part["status"] != "analysed":
            into.refusals[part["refusal_code"]] = into.refusals.get(part["refusal_code"], 0) + 1


def peer(path: Path, into: Timings) -> None:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", PEER, str(path)], check=True)
    into.seconds.append(time.perf_counter() - started)


def open_quoting(database_url: str, enterprise_id: str) -> None:
    from c2m.domains.platform.models import Enterprise
    from c2m.domains.quoting.quoters import open_quoting as open_service
    from c2m.kernel.db import Database

    db = Database(database_url)
    with db.write() as session:
        enterprise = session.get(Enterprise, enterprise_id)
        assert enterprise is not None
        open_service(session, enterprise)
    db.dispose()


def measure(
    uploader: Uploader, cube_path: Path, rounds: int, bursts: int
) -> tuple[Timings, list[Timings]]:
    cold = Timings("first upload (starts the analysis server)")
    uploader.upload(cold)
    one, burst = Timings("one upload at a time"), Timings(f"{BURST} uploads at once, each")
    theirs = Timings("peer: python -c 'trimesh.load(file).volume'")
    for _ in range(rounds):
        uploader.upload(one)
        peer(cube_path, theirs)
    with ThreadPoolExecutor(BURST) as pool:
        for _ in range(bursts):
            list(pool.map(lambda _: uploader.upload(burst), range(BURST)))
    return one, [cold, one, burst, theirs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Upload analysis latency of a sound cube through a real c2m serve on a "
        "loaded machine, against trimesh in a bare process; appends to docs/benchmarks.md."
    )
    parser.add_argument("--rounds", type=int, default=20, help="single uploads (and peer runs)")
    parser.add_argument("--bursts", type=int, default=5, help=f"rounds of {BURST} uploads at once")
    parser.add_argument("--busy", type=int, default=2, help="busy-loop processes loading the CPU")
    parser.add_argument(
        "--src", type=Path, help="serve from another checkout's src/ (to measure a version)"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory() as tmp, fresh_database("sqlite", Path(tmp)) as url:
        seeded = seed(url, customers=1)
        open_quoting(url, seeded.enterprise_id)
        cube_path = Path(tmp) / "cube.stl"
        cube_path.write_bytes(
            trimesh.creation.box(extents=(20.0, 20.0, 20.0)).export(file_type="stl")
        )
        extra = {"PYTHONPATH": str(args.src.resolve())} if args.src else {}
        server = ServerProcess(
            server_env(url, Path(tmp), **extra), free_port(), Path(tmp) / "server.log"
        )
        server.start(timeout=120)
        busy = [
            subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)
        ]
        try:
            uploader = Uploader(
                server.url, seeded.enterprise_id, seeded.customers[0][1], cube_path.read_bytes()
            )
            with console.status(f"{args.rounds} uploads and {args.bursts} bursts under load…"):
                one, results = measure(uploader, cube_path, args.rounds, args.bursts)
            load = os.getloadavg()[0]
        finally:
            for process in busy:
                process.kill()
                process.wait()
            server.stop()
    ratio = one.percentile(0.95) / results[-1].percentile(0.95)
    refused_for_time = sum(t.refusals.get("timeout", 0) for t in results)
    met = one.percentile(0.95) < TARGET_P95_S and refused_for_time == 0
    verdict = "meets" if met else "MISSES"
    columns = ("path", "n", "p50 s", "p95 s", "max s", "refused")
    table = Table(title=f"Sound 20 mm cube, {args.busy} busy loops, load {load:.1f}")
    for column in columns:
        table.add_column(column, justify="left" if column == "path" else "right")
    rows = [timings.row() for timings in results]
    for row in rows:
        table.add_row(*row)
    summary = (
        f"p95 of one upload {one.percentile(0.95):.3f} s, {ratio:.2f}x the peer's p95; "
        f"{refused_for_time} refused for time ({verdict} the targets)"
    )
    table.caption = summary
    console.print(table)
    if not args.no_doc:
        body = "\n".join(f"| {' | '.join(row)} |" for row in rows)
        version = f", serving {args.src}" if args.src else ""
        append_section(
            HEADING,
            INTRO,
            f"""\
### {stamp()}: {args.rounds} uploads, {args.bursts} bursts of {BURST}, {args.busy} busy loops

`{command_line()}` on {machine()}{version} (load average {load:.1f} at the end).

| {" | ".join(columns)} |
|---|---:|---:|---:|---:|---:|
{body}

{summary[0].upper()}{summary[1:]}.""",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
