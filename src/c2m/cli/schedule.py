"""``c2m schedule FILE``: solve a scheduling instance, show progress, print or draw the result."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from c2m.cli.errors import fail
from c2m.engines.scheduling.formats import (
    FormatError,
    read_instance,
    schedule_to_json,
    with_due_dates,
)
from c2m.engines.scheduling.gantt import write_gantt
from c2m.engines.scheduling.model import Instance
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.progress import Progress as SolverProgress
from c2m.engines.scheduling.solver import SolveOptions, Solver, SolveResult, solve

FILE_HELP = (
    "Instance: standard job-shop or Taillard text, Brandimarte (flexible), benchmark JSON "
    "records, or c2m JSON."
)


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule)


def schedule(
    file: Annotated[Path, typer.Argument(help=FILE_HELP, show_default=False)],
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds to search.")] = 10.0,
    workers: Annotated[int, typer.Option(min=1, max=64, help="CP-SAT worker threads.")] = 2,
    objective: Annotated[Objective, typer.Option(help="What to minimise.")] = Objective.MAKESPAN,
    solver: Annotated[Solver, typer.Option(help="Which solver.")] = Solver.AUTO,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same workers: same run).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the schedule as JSON.")] = False,
    gantt: Annotated[
        Path | None, typer.Option(help="Write an interactive Gantt chart to this HTML file.")
    ] = None,
    due_factor: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            help="Give every job the due date and weight of the weighted-tardiness job shop "
            "(Singer and Pinedo): release + FACTOR x its processing time; weights 4, 2, 1 for "
            "the first 20 %, middle 60 %, last 20 % of the jobs. Usual factors: 1.3, 1.5, 1.6.",
        ),
    ] = None,
) -> None:
    """Schedule the operations of FILE and report makespan, lower bound and gap."""
    try:
        instance = read_instance(file)
        if due_factor is not None:
            instance = with_due_dates(instance, due_factor)
    except FormatError as exc:
        fail(str(exc))
    options = SolveOptions(
        objective=objective, solver=solver, time_limit=time_limit, workers=workers, seed=seed
    )
    result = _solve_with_progress(instance, options, Console(stderr=True))
    if gantt is not None:
        write_gantt(instance, result.schedule, gantt)
    if as_json:
        extra = {
            "objective": objective.value,
            "value": result.value,
            "lower_bound": result.bound,
            "gap": result.gap,
            "optimal": result.optimal,
            "solver": result.solver,
            "elapsed": round(result.elapsed, 3),
        }
        document = schedule_to_json(instance, result.schedule.assignments, result.metrics, extra)
        typer.echo(json.dumps(document, indent=1))
    else:
        _summary(instance, result, gantt)


def _solve_with_progress(
    instance: Instance, options: SolveOptions, console: Console
) -> SolveResult:
    """Solve in a thread; the main thread redraws the time bar and the latest figures."""
    latest: list[SolverProgress] = []
    lock = threading.Lock()

    def remember(progress: SolverProgress) -> None:
        with lock:
            latest.append(progress)

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("starting", total=options.time_limit)
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(solve, instance, options, remember)
            while not future.done():
                with lock:
                    shown = latest[-1] if latest else None
                completed = bar.tasks[0].elapsed or 0.0
                bar.update(task, completed=min(completed, options.time_limit))
                if shown is not None:
                    bar.update(task, description=_describe(shown))
                wait([future], timeout=0.2)
            return future.result()


def _describe(p: SolverProgress) -> str:
    text = f"{p.solver}: best {p.objective}"
    if p.bound is not None:
        gap = (p.objective - p.bound) / p.objective if p.objective else 0.0
        text += f"  bound {p.bound}  gap {gap:.2%}"
    return text


def _summary(instance: Instance, result: SolveResult, gantt: Path | None) -> None:
    table = Table(
        title=f"{instance.name}: {len(instance.operations)} operations", show_header=False
    )
    table.add_row("solver", result.solver)
    table.add_row("makespan", str(result.metrics.makespan))
    if any(job.due is not None for job in instance.jobs):
        table.add_row("weighted tardiness", str(result.metrics.weighted_tardiness))
    table.add_row(f"lower bound ({result.objective.value})", str(result.bound))
    table.add_row("gap", "n/a" if result.gap is None else f"{result.gap:.2%}")
    table.add_row("status", "optimal" if result.optimal else "feasible")
    table.add_row("time", f"{result.elapsed:.1f} s")
    if gantt is not None:
        table.add_row("gantt chart", str(gantt))
    Console().print(table)
