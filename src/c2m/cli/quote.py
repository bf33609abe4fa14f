"""``c2m quote FILE...``: analyse parts in the sandbox and price them; reasons, never tracebacks."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from c2m.cli.errors import fail
from c2m.engines.costing.estimate import CostingError, Quote, material_for, quote
from c2m.engines.costing.tables import Process, default_tables
from c2m.engines.geometry.sandbox import Outcome, analyze_in_sandbox
from c2m.engines.geometry.units import Unit


def register(app: typer.Typer) -> None:
    app.command("quote")(quote_files)


def quote_files(
    files: Annotated[list[Path], typer.Argument(help="STL, OBJ, 3MF or STEP files.")],
    process: Annotated[Process, typer.Option(help="Manufacturing process.")] = Process.FDM,
    material: Annotated[str, typer.Option(help="Material name from the tables.")] = "PLA",
    qty: Annotated[int, typer.Option(min=1, help="Quantity per part.")] = 1,
    units: Annotated[Unit | None, typer.Option(help="Units of the files (default: guess).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the quotes as JSON.")] = False,
) -> None:
    """Quote parts: dimensions, DFM findings, price per quantity and ship dates.

    Each file that cannot be quoted gets its reason in the table (or JSON); if none can be,
    the reasons come in one sentence and the exit status is 2.
    """
    try:
        material_for(default_tables(), process, material)
    except CostingError as exc:
        fail(str(exc))
    now = datetime.now(UTC)
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            results.append({"file": str(path), "error": "unreadable", "reason": exc.strerror})
            continue
        outcome = analyze_in_sandbox(data, units, thumbnail=False)
        results.append(_result(path, outcome, process, material, qty, now))
    failed = [row for row in results if "error" in row]
    if len(failed) == len(results):
        fail(_nothing_quoted(failed))
    if as_json:
        typer.echo(json.dumps(results, indent=1, default=str))
    else:
        _print(results)


def _nothing_quoted(failed: list[dict[str, Any]]) -> str:
    """One sentence with every file's reason (there is no table to show them)."""
    reasons = "; ".join(
        f"{Path(row['file']).name}: {str(row['reason'] or 'no reason given').rstrip('.')}"
        for row in failed
    )
    if len(failed) == 1:
        return f"Could not quote {reasons}."
    return f"Could not quote any of the {len(failed)} files: {reasons}."


def _result(
    path: Path, outcome: Outcome, process: Process, material: str, qty: int, now: datetime
) -> dict[str, Any]:
    if outcome.analysis is None:
        return {"file": str(path), "error": outcome.code, "reason": outcome.message}
    priced: Quote = quote(outcome.analysis, process, material, qty, now=now)
    return {"file": str(path), "analysis": asdict(outcome.analysis), "quote": asdict(priced)}


def _print(results: list[dict[str, Any]]) -> None:
    console = Console()
    table = Table(title="Quotes")
    for column in ("file", "size mm", "volume cm3", "unit price", "total", "ship (std)", "notes"):
        table.add_column(column)
    for row in results:
        if "error" in row:
            table.add_row(Path(row["file"]).name, "", "", "", "", "", f"[red]{row['reason']}[/red]")
            continue
        analysis, priced = row["analysis"], row["quote"]
        size = " x ".join(f"{side:.1f}" for side in analysis["size"])
        volume = "" if analysis["volume"] is None else f"{analysis['volume'] / 1000:.2f}"
        notes = "; ".join(f"{f['severity']}: {f['message']}" for f in priced["findings"])
        if priced["manual_review"]:
            table.add_row(Path(row["file"]).name, size, volume, "manual review", "", "", notes)
            continue
        tiers = {t["tier"]: t["ship_date"] for t in priced["lead_times"]}
        ship = tiers.get("standard", "")
        unit, total = f"{priced['unit_price']:.2f}", f"{priced['total']:.2f}"
        table.add_row(Path(row["file"]).name, size, volume, unit, total, str(ship), notes)
    console.print(table)
