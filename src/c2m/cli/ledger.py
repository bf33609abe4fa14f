"""``c2m ledger``: the trial balance, the chain check and exports of the books."""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from c2m.cli.database import command_database
from c2m.cli.errors import fail, guarded
from c2m.domains.ledger import export
from c2m.domains.ledger.chain import head_hash, verify
from c2m.domains.ledger.statements import TrialBalance, trial_balance
from c2m.kernel.money import format_amount

ledger_app = typer.Typer(help="The double-entry ledger: balances, checks, exports.")
console = Console()
T = TypeVar("T")


class ExportFormat(enum.StrEnum):
    BEANCOUNT = "beancount"
    CSV = "csv"


WRITERS: dict[ExportFormat, Callable[[Session], Iterator[str]]] = {
    ExportFormat.BEANCOUNT: export.beancount,
    ExportFormat.CSV: export.csv_lines,
}


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger", no_args_is_help=True)


def _read(work: Callable[[Session], T]) -> T:
    with command_database() as db, db.read() as session:
        return work(session)


@ledger_app.command("trial-balance")
@guarded
def trial_balance_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the balances as JSON.")] = False,
) -> None:
    """Totals per account type and currency, and the overall sum, which must be zero."""
    balance = _read(trial_balance)
    if as_json:
        console.print_json(json.dumps(balance.as_json()))
    else:
        console.print(_table(balance))
    if not balance.balanced:
        off = ", ".join(format_amount(v, c) for c, v in sorted(balance.totals.items()) if v)
        fail(f"The books do not balance: the postings sum to {off} instead of zero.")


def _table(balance: TrialBalance) -> Table:
    table = Table(title="Trial balance (debits positive, credits negative)")
    table.add_column("type")
    table.add_column("currency")
    table.add_column("balance", justify="right")
    for (kind, currency), amount in sorted(balance.by_type.items()):
        table.add_row(kind.value, currency, format_amount(amount, currency))
    for currency, amount in sorted(balance.totals.items()):
        table.add_row(
            "[bold]sum[/bold]", currency, f"[bold]{format_amount(amount, currency)}[/bold]"
        )
    return table


@ledger_app.command("verify")
@guarded
def verify_command() -> None:
    """Check the hash chain: exit code 2 naming the first transaction that was tampered with."""
    checked, broken, head = _read(lambda session: (*verify(session), head_hash(session)))
    if broken is not None:
        fail(str(broken))
    console.print(
        f"The ledger's hash chain holds: {checked} transactions checked; head {head}.",
        highlight=False,
    )


@ledger_app.command("export")
@guarded
def export_command(
    format: Annotated[ExportFormat, typer.Option("--format", help="File format.")],
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Export every transaction, oldest first, as Beancount or CSV."""
    write = WRITERS[format]

    def dump(session: Session) -> None:
        if output is None:
            for line in write(session):
                sys.stdout.write(line + "\n")
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as file:
                for line in write(session):
                    file.write(line + "\n")
        except OSError as exc:
            fail(f"Cannot write {output}: {exc.strerror}.")

    _read(dump)
    if output is not None:
        console.print(f"Wrote the ledger to {output}.", highlight=False)
