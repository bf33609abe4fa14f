"""``c2m aggregate DEMANDS.csv``: pool personal demands into a few valid models, report the
coverage, each model and (with --json) what differs for every demand; draw the pictures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from c2m.cli.errors import fail
from c2m.demo.templates import DEMO_TEMPLATES
from c2m.domains.catalog.schemas import TemplateDefinition
from c2m.engines.aggregation.demand_file import DemandFile, DemandFileError, read_demands
from c2m.engines.aggregation.spec import AggregationSpec, OptionSpec, SpecError, spec_for
from c2m.engines.configurator import CompiledTemplate, TemplateError, compile_template
from c2m.kernel.errors import describe_validation

if TYPE_CHECKING:
    from c2m.engines.aggregation import Aggregation

PROGRESS_FROM = 5_000  # demands; smaller runs finish before a bar would be worth drawing
BAD_ROWS_SHOWN = 20
DEFAULT_COVERAGE = 0.9
TEMPLATE_HELP = (
    "A demo template key ("
    + ", ".join(t.key for t in DEMO_TEMPLATES)
    + ") or a template definition JSON file."
)


def register(app: typer.Typer) -> None:
    app.command("aggregate")(aggregate_demands)


def aggregate_demands(
    demands: Annotated[
        Path, typer.Argument(help="CSV: a header of option names (plus id, weight).")
    ],
    template: Annotated[str, typer.Option(help=TEMPLATE_HELP)],
    k: Annotated[str, typer.Option("--k", help="Number of models, or auto.")] = "auto",
    coverage: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="With --k auto: the share of demand to cover (default 0.9)."
        ),
    ] = None,
    model_cost: Annotated[
        float | None,
        typer.Option(min=0.0, help="With --k auto: cost of one model, in units of mismatch."),
    ] = None,
    max_k: Annotated[int, typer.Option(min=1, help="Most models --k auto may choose.")] = 50,
    tolerance: Annotated[
        list[str] | None, typer.Option(help="OPTION=VALUE, in the option's unit; repeatable.")
    ] = None,
    weight: Annotated[
        list[str] | None, typer.Option(help="OPTION=IMPORTANCE (0 ignores it); repeatable.")
    ] = None,
    order: Annotated[
        list[str] | None,
        typer.Option(help="OPTION=a,b,c: an ordered choice, one end to the other; repeatable."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same answer).")] = 0,
    skip_bad_rows: Annotated[
        bool, typer.Option(help="Aggregate the good rows even if some rows are bad.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write the coverage curve and demand map to this HTML.")
    ] = None,
) -> None:
    """Cluster DEMANDS into centralized models that are valid configurations of the template."""
    # The engine's numerical half loads when the command runs: every ``c2m`` command, ``c2m
    # serve`` among them, imports this module.
    from c2m.engines.aggregation.pictures import write_plot
    from c2m.engines.aggregation.pooling import AggregationError

    compiled = _template(template)
    read = _read(demands, compiled)
    if read.bad_rows:
        _report_bad_rows(read)
        if not skip_bad_rows:
            fail(f"{len(read.bad_rows)} bad rows in {demands}; fix them or pass --skip-bad-rows.")
    if not read.demands:
        fail(f"{demands} holds no demand to aggregate.")
    overrides = _overrides(tolerance or [], weight or [], order or [])
    count = _k(k)
    if count is not None and (coverage is not None or model_cost is not None):
        fail("--coverage and --model-cost choose k: use them with --k auto only.")
    if coverage is not None and model_cost is not None:
        fail("Give --coverage or --model-cost, not both.")
    if count is None and model_cost is None and coverage is None:
        coverage = DEFAULT_COVERAGE
    try:
        spec = spec_for(compiled, overrides)
        result = _run(spec, read, count, coverage, model_cost, max_k, seed)
    except (SpecError, AggregationError) as exc:
        fail(str(exc))
    if plot is not None:
        write_plot(result, plot, f"{compiled.template.name}: {len(read.demands)} demands")
    if as_json:
        typer.echo(json.dumps(_document(result, read), indent=1))
    else:
        _summary(result, coverage, plot)


def _template(name: str) -> CompiledTemplate:
    for template in DEMO_TEMPLATES:
        if template.key == name:
            return compile_template(template)
    path = Path(name)
    if not path.is_file():
        keys = ", ".join(t.key for t in DEMO_TEMPLATES)
        fail(f"{name!r} is neither a demo template ({keys}) nor a template JSON file.")
    try:
        definition = TemplateDefinition.model_validate_json(path.read_bytes())
        return compile_template(definition.to_template(1))
    except ValidationError as exc:
        fail(f"{path} is not a template definition: {describe_validation(list(exc.errors()))}")
    except TemplateError as exc:
        fail(f"{path} cannot be used: {exc}")


def _read(path: Path, compiled: CompiledTemplate) -> DemandFile:
    try:
        with path.open(newline="", encoding="utf-8-sig") as lines:
            return read_demands(lines, compiled)
    except OSError as exc:
        fail(f"Cannot read {path}: {exc.strerror}.")
    except UnicodeDecodeError:
        fail(f"{path} is not UTF-8 text.")
    except DemandFileError as exc:
        fail(f"{path}: {exc}")


def _report_bad_rows(read: DemandFile) -> None:
    err = Console(stderr=True)
    for bad in read.bad_rows[:BAD_ROWS_SHOWN]:
        err.print(f"line {bad.line}: {bad.message}", markup=False, highlight=False)
    hidden = len(read.bad_rows) - BAD_ROWS_SHOWN
    if hidden > 0:
        err.print(f"... and {hidden} more bad rows", markup=False)


def _pairs(items: list[str], flag: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name.strip() or not value.strip():
            fail(f"{flag} takes OPTION=VALUE, not {item!r}.")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _overrides(tolerances: list[str], weights: list[str], orders: list[str]) -> list[OptionSpec]:
    fields: dict[str, dict[str, Any]] = {}
    for flag, items in (("--tolerance", tolerances), ("--weight", weights)):
        for name, value in _pairs(items, flag):
            try:
                fields.setdefault(name, {})[flag[2:]] = float(value)
            except ValueError:
                fail(f"{flag} {name}={value}: the value must be a number.")
    for name, value in _pairs(orders, "--order"):
        fields.setdefault(name, {})["order"] = tuple(v.strip() for v in value.split(","))
    return [OptionSpec(name, **given) for name, given in fields.items()]


def _k(text: str) -> int | None:
    if text.strip().lower() == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        fail(f"--k takes a number of models or auto, not {text!r}.")


def _run(
    spec: AggregationSpec,
    read: DemandFile,
    k: int | None,
    coverage: float | None,
    model_cost: float | None,
    max_k: int,
    seed: int,
) -> Aggregation:
    from c2m.engines.aggregation.pooling import aggregate

    kwargs: dict[str, Any] = {"k": k, "coverage": coverage, "model_cost": model_cost}
    chosen = {name: value for name, value in kwargs.items() if value is not None}
    if len(read.demands) < PROGRESS_FROM:
        return aggregate(spec, read.demands, max_k=max_k, seed=seed, **chosen)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading demands", total=1)

        def show(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        return aggregate(spec, read.demands, max_k=max_k, seed=seed, progress=show, **chosen)


def _document(result: Aggregation, read: DemandFile) -> dict[str, Any]:
    total = sum(d.weight for d in result.demands)
    return {
        "template": result.spec.compiled.template.key,
        "demands": len(result.demands),
        "bad_rows": [{"line": b.line, "message": b.message} for b in read.bad_rows],
        "k": result.k,
        "coverage": result.coverage,
        "target_met": result.target_met,
        "mismatch": result.mismatch,
        "options": [
            {"name": o.name, "weight": o.weight, "tolerance": o.tolerance, "order": o.order}
            for o in result.spec.options
        ],
        "models": [
            {
                "model": m.index + 1,
                "configuration": dict(m.configuration),
                "demands": m.demands,
                "share": m.weight / total,
                "covered_share": m.covered_weight / m.weight,
                "mismatch": m.mismatch,
            }
            for m in result.models
        ],
        "curve": [{"k": p.k, "coverage": p.coverage, "mismatch": p.mismatch} for p in result.curve],
        "assignments": [
            {
                "id": a.demand_id,
                "line": line,
                "model": a.model + 1,
                "distance": a.distance,
                "within_tolerance": a.within_tolerance,
                "differences": [
                    {"option": d.option, "asked": d.asked, "model": d.model, "change": d.change}
                    for d in a.differences
                ],
                "as_asked": list(a.as_asked),
                "summary": str(a),
            }
            for a, line in zip(result.assignments(), read.lines, strict=True)
        ],
    }


def _summary(result: Aggregation, coverage: float | None, plot: Path | None) -> None:
    console = Console()
    total = sum(d.weight for d in result.demands)
    names = [o.name for o in result.spec.options]
    table = Table(title=f"{result.k} models for {len(result.demands)} demands")
    for column in ("#", "demands", "share", "within tolerance", "model"):
        table.add_column(column, overflow="fold")
    for model in result.models:
        table.add_row(
            str(model.index + 1),
            str(model.demands),
            f"{model.weight / total:.1%}",
            f"{model.covered_weight / model.weight:.1%}",
            ", ".join(f"{name} {model.configuration[name]}" for name in names),
        )
    console.print(table)
    line = f"Within tolerance of their model: {result.coverage:.1%} of the demand"
    if coverage is not None:
        verdict = "met" if result.target_met else "NOT met (raise --max-k or the tolerances)"
        line += f" (target {coverage:.0%}: {verdict})"
    console.print(line + f"; total mismatch {result.mismatch:,.1f}.")
    curve = ", ".join(f"k={p.k}: {p.coverage:.0%}" for p in result.curve)
    console.print(f"Coverage curve: {curve}")
    if plot is not None:
        console.print(f"Pictures: {plot}")
