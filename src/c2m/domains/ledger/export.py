"""The books in other tools' formats: Beancount (an accountant's tool checks our books) and CSV.

Both stream the transactions in chain order, a batch at a time, so a large ledger is never held
in memory. Amounts are written in major units with the currency's ISO 4217 decimals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.ledger.chain import links
from c2m.domains.ledger.models import LedgerAccount
from c2m.domains.ledger.pnl import PostingRow
from c2m.kernel.money import to_decimal

CSV_COLUMNS = (
    "seq",
    "transaction",
    "time",
    "kind",
    "key",
    "reference",
    "description",
    "account",
    "currency",
    "amount",
    "amount_minor",
    "hash",
)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def beancount(session: Session) -> Iterator[str]:
    """Lines of a Beancount file: an ``open`` per account, then every transaction with its id,
    chain link and hash as metadata."""
    yield "; c2m ledger export: amounts in major units, debits positive, credits negative"
    accounts = session.execute(
        select(LedgerAccount.name, LedgerAccount.created_at).order_by(LedgerAccount.name)
    )
    for name, created_at in accounts:
        yield f"{created_at.date().isoformat()} open {name}"
    for tx, content in links(session, 1000):
        yield ""
        yield f"{tx.created_at.date().isoformat()} * {_quoted(tx.description)}"
        yield f"  id: {_quoted(tx.id)}"
        yield f"  seq: {_quoted(str(tx.seq))}"
        yield f"  kind: {_quoted(content.kind)}"
        yield f"  key: {_quoted(tx.key)}"
        yield f"  hash: {_quoted(tx.hash)}"
        for account, currency, amount in content.postings:
            yield f"  {account}  {to_decimal(amount, currency)} {currency}"


def _csv_line() -> Callable[[tuple[object, ...]], str]:
    """A function turning one row into one CSV line (quoted as needed), reusing one buffer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(row: tuple[object, ...]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        return buffer.getvalue().rstrip("\n")

    return line


def csv_lines(session: Session) -> Iterator[str]:
    """Lines of a CSV file, one row per posting, with a header."""
    line = _csv_line()
    yield line(CSV_COLUMNS)
    for tx, content in links(session, 1000):
        for account, currency, amount in content.postings:
            yield line(
                (
                    tx.seq,
                    tx.id,
                    tx.created_at.isoformat(),
                    content.kind,
                    tx.key,
                    tx.reference or "",
                    tx.description,
                    account,
                    currency,
                    to_decimal(amount, currency),
                    amount,
                    tx.hash,
                )
            )


STATEMENT_COLUMNS = (
    "seq",
    "transaction",
    "time",
    "kind",
    "reference",
    "description",
    "account",
    "currency",
    "amount",
    "amount_minor",
)


def statement_csv_lines(rows: Iterable[PostingRow]) -> Iterator[str]:
    """The postings behind a statement's figure as CSV lines, with a header."""
    line = _csv_line()
    yield line(STATEMENT_COLUMNS)
    for row in rows:
        yield line(
            (
                row.seq,
                row.transaction_id,
                row.at.isoformat(),
                row.kind.value,
                row.reference or "",
                row.description,
                row.account,
                row.currency,
                to_decimal(row.amount, row.currency),
                row.amount,
            )
        )
