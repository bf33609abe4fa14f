"""Scheduling benchmark: c2m's engine against the textbook CP-SAT model, same limit, same run.

    uv run python bench/scheduling/run.py --only ta01-ta10 --time-limit 60

Results go to bench/scheduling/results.jsonl (one line per instance and setting; reruns skip
what is there, so a long run can be resumed) and a table per run is appended to the
``## Scheduling`` section of docs/benchmarks.md. Selections: ``ft``, ``la``, ``abz``,
``ta01-ta10``, ``mk01-mk10``, ``bel00``, names separated by commas; ``replan500`` times
re-planning after breakdowns; ``gen1000x100`` runs a generated 100,000-operation instance, then
the textbook model on it for ``--peer-seconds`` (600 by default).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from peer import textbook_makespan  # type: ignore[import-not-found]

from c2m.engines.scheduling.formats import read_instance
from c2m.engines.scheduling.generate import taillard_style
from c2m.engines.scheduling.model import Instance
from c2m.engines.scheduling.replan import MachineDown, replan
from c2m.engines.scheduling.solver import SolveOptions, solve

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / ".." / "shared" / "bench"
RESULTS = ROOT / "bench" / "scheduling" / "results.jsonl"
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Scheduling"
FAMILIES = {
    "ft": ["ft06", "ft10", "ft20"],
    "la": [f"la{k:02d}" for k in range(1, 41)],
    "abz": [f"abz{k}" for k in range(5, 10)],
}


def expand(selection: str) -> list[str]:
    names: list[str] = []
    for part in selection.split(","):
        part = part.strip()
        if part in FAMILIES:
            names += FAMILIES[part]
        elif m := re.fullmatch(r"([a-z]+)(\d+)-([a-z]+)?(\d+)", part):
            prefix, first, last = m[1], m[2], m[4]
            names += [f"{prefix}{k:0{len(first)}d}" for k in range(int(first), int(last) + 1)]
        else:
            names.append(part)
    return names


def locate(name: str) -> Path:
    for candidate in (
        BENCH / "jobshop" / "instances" / f"{name}.txt",
        BENCH / "jobshop" / "instances" / f"{name}js.txt",
        BENCH / "jobshop" / "instances" / f"{name}.json",
        BENCH / "fjsp" / "brandimarte" / f"{name}.txt",
    ):
        if candidate.is_file():
            return candidate
    raise SystemExit(f"no benchmark instance named {name!r} under {BENCH}")


def best_known() -> dict[str, tuple[int, int]]:
    known: dict[str, tuple[int, int]] = {}
    for path in (BENCH / "jobshop" / "bks.json", BENCH / "fjsp" / "bks.json"):
        for record in json.loads(path.read_text()):
            name = record["instance"].removesuffix("js")
            known[name] = (int(record["lower_bound"]), int(record["upper_bound"]))
    return known


def done() -> set[tuple[str, float, int]]:
    if not RESULTS.exists():
        return set()
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    return {(r["instance"], r["time_limit"], r["workers"]) for r in rows}


def record(row: dict[str, object]) -> None:
    with RESULTS.open("a") as out:
        out.write(json.dumps(row) + "\n")


def compare(
    name: str, time_limit: float, workers: int, known: dict[str, tuple[int, int]]
) -> dict[str, object]:
    instance = read_instance(locate(name))
    first_feasible: list[float] = []
    result = solve(
        instance,
        SolveOptions(time_limit=time_limit, workers=workers),
        lambda p: first_feasible.append(p.elapsed) if not first_feasible else None,
    )
    peer = textbook_makespan(instance, time_limit, workers)
    lb, ub = known.get(name, (None, None))
    return {
        "instance": name,
        "operations": len(instance.operations),
        "time_limit": time_limit,
        "workers": workers,
        "ours": result.value,
        "ours_bound": result.bound,
        "ours_first_s": round(first_feasible[0], 2) if first_feasible else None,
        "ours_solver": result.solver,
        "peer": peer,
        "bks_lb": lb,
        "bks_ub": ub,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def gap(value: object, ub: object) -> str:
    if not isinstance(value, int) or not isinstance(ub, int):
        return "n/a"
    return f"{100 * (value - ub) / ub:.2f} %"


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| instance | ops | best known | c2m | gap | peer (textbook CP-SAT) | gap | c2m / peer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios, ours_gaps, peer_gaps = [], [], []
    for r in rows:
        ours, peer, ub = r["ours"], r["peer"], r["bks_ub"]
        ratio = f"{ours / peer:.4f}" if isinstance(ours, int) and isinstance(peer, int) else "n/a"
        if isinstance(ours, int) and isinstance(peer, int):
            ratios.append(ours / peer)
        if isinstance(ub, int):
            ours_gaps.append(100 * (ours - ub) / ub) if isinstance(ours, int) else None
            peer_gaps.append(100 * (peer - ub) / ub) if isinstance(peer, int) else None
        lines.append(
            f"| {r['instance']} | {r['operations']} | {ub} | {ours} | {gap(ours, ub)} | "
            f"{peer if peer is not None else 'none found'} | {gap(peer, ub)} | {ratio} |"
        )
    if rows:
        lines.append(
            f"| **mean** | | | | **{_mean(ours_gaps)}** | | **{_mean(peer_gaps)}** | "
            f"**{statistics.fmean(ratios):.4f}** |"
            if ratios
            else "| **mean** | | | | | | | |"
        )
    return "\n".join(lines)


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):.2f} %" if values else "n/a"


def append_to_doc(title: str, command: str, body: str) -> None:
    """Add a subsection at the end of the Scheduling section; other sections stay untouched."""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if HEADING not in text:
        text = (
            text.rstrip("\n") + f"\n\n{HEADING}\n\nc2m's scheduling engine against the "
            "textbook CP-SAT model, same machine, same time limit, same run "
            "(`bench/scheduling/run.py`). Gaps are to the best known upper bound "
            "(`../shared/bench/*/bks.json`).\n"
        )
    start = text.index(HEADING)
    nxt = text.find("\n## ", start + len(HEADING))
    end = len(text) if nxt < 0 else nxt
    python = sys.version.split()[0]
    machine = f"Linux {platform.machine()}, 2 cores shared with other work, Python {python}"
    section = f"\n### {title}\n\n`{command}` on {machine}\n\n{body}\n"
    DOC.write_text(text[:end].rstrip("\n") + "\n" + section + text[end:])


def bench_large(time_limit: float, workers: int, peer_seconds: float) -> str:
    instance = taillard_style(1000, 100, seed=1)
    trace: list[tuple[float, int]] = []
    result = solve(
        instance,
        SolveOptions(time_limit=time_limit, workers=workers),
        lambda p: trace.append((p.elapsed, p.objective)),
    )
    points = [f"{t:.1f} s: {v}" for t, v in sampled(trace, every=5.0)]
    return (
        f"Generated 1000 x 100 instance (100,000 operations, seed 1). c2m: first feasible "
        f"schedule after {trace[0][0]:.1f} s ({trace[0][1]}), final {result.value} "
        f"(lower bound {result.bound}) after {result.elapsed:.0f} s.\n\nBest so far, every 5 s: "
        + ", ".join(points)
        + "\n\n"
        + _large_peer(instance, peer_seconds, workers)
    )


def _large_peer(instance: Instance, seconds: float, workers: int) -> str:
    if seconds <= 0:
        return "The textbook model was not run (`--peer-seconds 0`)."
    started = time.monotonic()
    found = textbook_makespan(instance, seconds, workers)
    spent = time.monotonic() - started
    outcome = "no schedule at all" if found is None else f"makespan {found}"
    return f"The textbook model, same run, {seconds:g} s limit: {outcome} after {spent:.0f} s."


def sampled(trace: list[tuple[float, int]], every: float) -> list[tuple[float, int]]:
    """The first point, then the latest improvement in each ``every``-second slot."""
    kept: dict[int, tuple[float, int]] = {}
    for t, v in trace[1:]:
        kept[int(t // every)] = (t, v)
    return trace[:1] + list(kept.values())


def bench_replan(workers: int, runs: int = 20) -> str:
    instance = taillard_style(25, 20, seed=5)  # 500 operations
    plan = solve(instance, SolveOptions(time_limit=20, workers=workers)).schedule
    rng = random.Random(11)
    timings, moved = [], []
    for _ in range(runs):
        now = rng.randrange(plan.makespan // 2)
        event = MachineDown(rng.randrange(len(instance.machines)), now, rng.randint(50, 400))
        started = time.monotonic()
        result = replan(instance, plan, now, event, time_limit=1.5, workers=workers)
        timings.append(time.monotonic() - started)
        moved.append(result.moved)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return (
        f"Re-planning a 500-operation plan (25 x 20 generated job shop) after {runs} random "
        f"breakdowns, 1.5 s budget: p50 {statistics.median(timings):.2f} s, p95 {p95:.2f} s, "
        f"max {timings[-1]:.2f} s; operations moved: median {statistics.median(moved):.0f} "
        f"of 500. Every new plan passed the feasibility checker."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", required=True, help="instances, e.g. ta01-ta10,ft,mk01-mk05")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--peer-seconds",
        type=float,
        default=600.0,
        help="gen1000x100 only: the textbook model's time limit (0 skips it)",
    )
    args = parser.parse_args()
    command = "uv run python bench/scheduling/run.py " + " ".join(sys.argv[1:])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    names = expand(args.only)
    if names == ["gen1000x100"]:
        large = bench_large(args.time_limit, args.workers, args.peer_seconds)
        append_to_doc(f"{stamp}: 1000 x 100", command, large)
        return
    if names == ["replan500"]:
        append_to_doc(f"{stamp}: re-planning", command, bench_replan(args.workers))
        return
    known, finished = best_known(), done()
    rows = []
    for name in names:
        if (name, args.time_limit, args.workers) in finished:
            print(f"{name}: already measured, skipped")
        else:
            row = compare(name, args.time_limit, args.workers, known)
            record(row)
            print(
                f"{name}: c2m {row['ours']}  peer {row['peer']}  best known {row['bks_ub']}",
                flush=True,
            )
        rows.append(
            next(
                r
                for r in map(json.loads, RESULTS.read_text().splitlines())
                if (r["instance"], r["time_limit"], r["workers"])
                == (name, args.time_limit, args.workers)
            )
        )
    title = f"{stamp}: {args.only}, {args.time_limit:g} s per instance and solver"
    title += f", {args.workers} workers"
    append_to_doc(title, command, table(rows))


if __name__ == "__main__":
    main()
