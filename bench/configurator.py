"""Benchmark: recompute the remaining possibilities after one choice (issue 3).

A generated template (40 options of up to 10 values, 100 rules over 2 or 3 options, built around
a planted solution so it is satisfiable) is configured by random users: each interaction
sequence picks an open option and one of its still-possible values, several times, and every
recomputation is timed. The peer is the obvious exact method, one CP-SAT feasibility solve per
open option value (one model per step, reused across its solves, one worker like ours); it
runs on every ``--peer-every``-th sequence on the very same steps, and its answers must agree.

    uv run python bench/configurator.py --sequences 1000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from ortools.sat.python import cp_model
from rich.console import Console
from rich.progress import track
from rich.table import Table

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import SHARED_CPU_NOTE, append_section, command_line, machine, stamp
from c2m.engines.configurator import (
    ChoiceOption,
    CompiledTemplate,
    NumberOption,
    Option,
    Rule,
    Template,
    Value,
    compile_template,
    constraint,
    possibilities,
    requires,
)
from c2m.engines.configurator.domains import choice_domains

HEADING = "Configurator"


def generated_template(seed: int, options: int = 40, rules: int = 100) -> Template:
    """Random options and rules that all hold for a hidden planted configuration."""
    rng = random.Random(seed)
    made: list[Option] = []
    planted: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for i in range(options):
        size = rng.randint(2, 10)
        sizes[f"o{i}"] = size
        planted[f"o{i}"] = rng.randrange(size)
        if i % 4 == 3:
            made.append(ChoiceOption(f"o{i}", tuple(f"v{k}" for k in range(size))))
        else:
            made.append(NumberOption(f"o{i}", 0, size - 1))

    def ref(name: str, value: int) -> str:
        is_choice = isinstance(made[int(name[1:])], ChoiceOption)
        return f'{name} == "v{value}"' if is_choice else f"{name} == {value}"

    numbers = [o.name for o in made if isinstance(o, NumberOption)]
    names = [o.name for o in made]
    made_rules: list[Rule] = []
    while len(made_rules) < rules:
        number = len(made_rules)
        kind = rng.random()
        if kind < 0.4:
            a, b = rng.sample(numbers, 2)
            bound = planted[a] + planted[b] + rng.randint(0, 3)
            made_rules.append(
                constraint(f"r{number}", f"{a} + {b} <= {bound}", f"{a} + {b} at most {bound}")
            )
        elif kind < 0.7:
            a, b = rng.sample(names, 2)
            va, vb = rng.randrange(sizes[a]), rng.randrange(sizes[b])
            if planted[a] == va and planted[b] != vb:
                continue
            made_rules.append(
                requires(f"r{number}", ref(a, va), ref(b, vb), f"{a}={va} needs {b}={vb}")
            )
        elif kind < 0.85:
            a, b, c = rng.sample(numbers, 3)
            slack = planted[a] + planted[b] - planted[c] + rng.randint(0, 2)
            made_rules.append(constraint(f"r{number}", f"{a} + {b} - {c} <= {slack}", "sum limit"))
        else:
            a, b = rng.sample(numbers, 2)
            if planted[a] == planted[b]:
                continue
            made_rules.append(constraint(f"r{number}", f"{a} != {b}", f"{a} differs from {b}"))
    return Template("generated", "Generated", 1, tuple(made), tuple(made_rules))


def peer(compiled: CompiledTemplate, choices: dict[str, Value]) -> list[int]:
    """Allowed-value masks by one CP-SAT feasibility solve per open option value."""
    domains = choice_domains(compiled, choices)
    model = cp_model.CpModel()
    xs = [
        model.new_int_var(0, d.bit_length() - 1, f"x{i}")
        for i, d in enumerate(compiled.network.full)
    ]
    for var, domain in enumerate(domains):
        if domain != compiled.network.full[var]:
            model.add(xs[var] == domain.bit_length() - 1)
    for table in compiled.network.tables:
        model.add_allowed_assignments([xs[v] for v in table.scope], list(table.tuples))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    masks = []
    for var, domain in enumerate(domains):
        if domain != compiled.network.full[var]:
            masks.append(domain)
            continue
        proto = model.proto.variables[var]
        mask = 0
        for value in range(domain.bit_length()):
            proto.domain[0] = proto.domain[1] = value
            if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                mask |= 1 << value
        proto.domain[0], proto.domain[1] = 0, domain.bit_length() - 1
        masks.append(mask)
    return masks


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sequences", type=int, default=1000, help="random interaction sequences")
    parser.add_argument("--steps", type=int, default=8, help="choices per sequence")
    parser.add_argument(
        "--peer-every", type=int, default=20, help="run the peer on every n-th sequence"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to docs/benchmarks.md"
    )
    args = parser.parse_args()
    console = Console()

    template = generated_template(args.seed)
    started = time.perf_counter()
    compiled = compile_template(template)
    compile_ms = (time.perf_counter() - started) * 1000
    rng = random.Random(args.seed)
    ours: list[float] = []
    paired_ours: list[float] = []
    paired_peer: list[float] = []
    for sequence in track(
        range(args.sequences), description="interaction sequences", console=console
    ):
        choices: dict[str, Value] = {}
        state = possibilities(compiled, {})
        for _ in range(args.steps):
            open_options = [s for s in state.options if s.chosen is None and s.mask]
            if not open_options:
                break
            option = rng.choice(open_options)
            domain = compiled.domains[compiled.index[option.option]]
            value = rng.choice([i for i in range(len(domain.values)) if option.mask >> i & 1])
            choices[option.option] = domain.public[value]
            began = time.perf_counter()
            state = possibilities(compiled, choices)
            elapsed = (time.perf_counter() - began) * 1000
            ours.append(elapsed)
            if sequence % args.peer_every == 0:
                began = time.perf_counter()
                masks = peer(compiled, choices)
                paired_peer.append((time.perf_counter() - began) * 1000)
                paired_ours.append(elapsed)
                assert masks == [s.mask for s in state.options], "engine and peer disagree"

    rows = [
        ("c2m engine, all steps", ours),
        ("c2m engine, peer's steps", paired_ours),
        ("CP-SAT per value", paired_peer),
    ]
    cells = [summary(name, samples) for name, samples in rows]
    table = Table(title=f"Remaining possibilities after one choice ({len(ours)} steps)")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "method" else "right")
    for row in cells:
        table.add_row(*row)
    ratio50 = percentile(paired_peer, 50) / percentile(paired_ours, 50)
    ratio95 = percentile(paired_peer, 95) / percentile(paired_ours, 95)
    speed_up = f"p50 {ratio50:.0f}x, p95 {ratio95:.0f}x"
    console.print(table)
    console.print(f"compiled in {compile_ms:.0f} ms; speed-up on the same steps: {speed_up}")
    if args.no_record:
        return
    entry = "\n".join(
        [
            f"### {stamp()}: {args.sequences} sequences x {args.steps} choices, seed {args.seed}",
            "",
            f"`{command_line()}` on {machine()}. Template: 40 options (2 to 10 values), "
            f"100 rules; compiled in {compile_ms:.0f} ms.",
            "",
            "| " + " | ".join(COLUMNS) + " |",
            "|---|---:|---:|---:|---:|",
            *("| " + " | ".join(row) + " |" for row in cells),
            "",
            f"Speed-up over the peer on the same steps: **{speed_up}**; "
            "both gave the same answer on every paired step.",
        ]
    )
    intro = (
        "Time to recompute every open option's remaining values after one choice, on a "
        "generated template, against one CP-SAT feasibility solve per open option value "
        "(`bench/configurator.py`). " + SHARED_CPU_NOTE
    )
    append_section(HEADING, intro, entry)


COLUMNS = ("method", "steps", "p50 ms", "p95 ms", "max ms")


def summary(name: str, samples: list[float]) -> list[str]:
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    return [name, str(len(samples)), f"{p50:.2f}", f"{p95:.2f}", f"{max(samples):.2f}"]


if __name__ == "__main__":
    main()
