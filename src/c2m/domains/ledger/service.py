"""Ledger use cases: post balanced transactions onto the chain; record payments, refunds,
payouts and production costs by their rules.

Services add and flush; the caller owns the transaction. Each transaction has a ``key`` saying
what it is for, so recording the same thing twice (an event delivered again) posts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event, exists, select, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.orm import Session, aliased

from c2m.domains.ledger import rules
from c2m.domains.ledger.chain import GENESIS, HEAD_ID, Content, link_hash
from c2m.domains.ledger.models import (
    ChainHead,
    LedgerAccount,
    LedgerPosting,
    LedgerTransaction,
    TransactionKind,
)
from c2m.domains.ledger.rules import Line, Parties, Rates, Role
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, insert_rows, pipelined, table_of
from c2m.kernel.errors import Conflict
from c2m.kernel.ids import new_id

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PgInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

K = TransactionKind


@dataclass(frozen=True)
class Entry:
    """A transaction to post: refused here already unless it balances in its currency."""

    kind: TransactionKind
    key: str
    currency: str
    lines: Sequence[Line]
    description: str
    reference: str | None = None
    reverses: str | None = None

    def __post_init__(self) -> None:
        if len(self.lines) < 2 or any(line.amount == 0 for line in self.lines):
            raise ValueError("a ledger transaction needs at least two non-zero postings")
        if sum(line.amount for line in self.lines) != 0:
            raise ValueError(f"the postings of {self.key} do not sum to zero")


#: Accounts this process has seen committed, per database. None is ever removed (a trigger
#: refuses it), so a posting to one of them needs no statement to open it.
_OPENED: WeakKeyDictionary[Engine, set[str]] = WeakKeyDictionary()
_OPENING = "ledger_accounts_opening"  # session.info: names inserted, not yet committed


def _open_accounts(session: Session, entries: Sequence[Entry]) -> None:
    """Create the accounts the entries name that do not exist yet (once, even when racing)."""
    engine = session.get_bind().engine
    opened = _OPENED.setdefault(engine, set())
    wanted = {
        line.account: line.type
        for entry in entries
        for line in entry.lines
        if line.account not in opened
    }
    if not wanted:
        return
    now = utcnow()
    rows = [
        {"name": name, "type": kind, "created_at": now} for name, kind in sorted(wanted.items())
    ]
    session.execute(_insert(session, LedgerAccount).values(rows).on_conflict_do_nothing())
    session.info.setdefault(_OPENING, set()).update(wanted)
    if not event.contains(session, "after_commit", _remember_opened):
        event.listen(session, "after_commit", _remember_opened)
        event.listen(session, "after_soft_rollback", _forget_opening)


def _remember_opened(session: Session) -> None:
    """Committed: the accounts the session opened (or found opened) exist for good."""
    names = session.info.pop(_OPENING, ())
    _OPENED.setdefault(session.get_bind().engine, set()).update(names)


def _forget_opening(session: Session, _previous: object) -> None:
    """Rolled back (even to a savepoint): they may not exist; the next posting opens them."""
    session.info.pop(_OPENING, None)


def _insert(session: Session, model: type[Base]) -> PgInsert | SqliteInsert:
    """The dialect's INSERT, which can skip rows that exist (ON CONFLICT DO NOTHING).

    Imported here: the engine has loaded its own dialect already, and the web tier on SQLite
    need not load PostgreSQL's (nor the other way round)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table_of(model))
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table_of(model))


HEAD = select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == HEAD_ID).with_for_update()


def _ask_for_head(session: Session) -> DBAPICursor:
    """Send the query locking the chain head, to be answered by :func:`_locked_head`: inside a
    pipeline its answer comes with the statements before it, in their one round trip."""
    connection = session.connection()
    cursor = connection.connection.cursor()
    cursor.execute(_head_sql(connection.dialect))
    return cursor


@cache
def _head_sql(dialect: Dialect) -> str:
    return str(HEAD.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _locked_head(session: Session, cursor: DBAPICursor) -> tuple[int, str]:
    """The chain head, locked until commit; created when the ledger is new (or was emptied)."""
    head = cursor.fetchone()
    cursor.close()
    if head is None:
        start = {"id": HEAD_ID, "seq": 0, "hash": GENESIS}
        session.execute(_insert(session, ChainHead).values(start).on_conflict_do_nothing())
        head = session.execute(HEAD).one()
    return int(head[0]), str(head[1])


def hold_chain(session: Session) -> None:
    """Lock the chain head now, until commit: what the session reads next includes every
    transaction committed before, and none is appended meanwhile. Refunds and the ledger's
    catch-up read what was posted for an order under it, so neither posts on stale news."""
    _locked_head(session, _ask_for_head(session))


POSTING_COLUMNS = ("transaction_id", "position", "account", "currency", "amount")
TRANSACTION_COLUMNS = (
    "id",
    "seq",
    "kind",
    "key",
    "reference",
    "reverses",
    "description",
    "created_at",
    "prev_hash",
    "hash",
)


def post(session: Session, entries: Sequence[Entry]) -> list[str]:
    """Write ``entries`` as transactions appended to the chain, in order; their ids.

    The postings go first (nothing locked yet), then the transaction rows, which seal them: on
    SQLite a trigger checks the balance as each transaction row arrives; on PostgreSQL the
    deferred constraint trigger (migration 0013) is made to check at once, while nothing is
    locked. Only the hashing onto the chain and the commit happen under the chain-head lock.
    On PostgreSQL the statements up to the lock, and those after it, each make one round trip
    (:func:`pipelined`): three with the commit, however many entries.
    """
    if not entries:
        return []
    ids = [new_id() for _ in entries]
    postings = [
        (tx_id, position, line.account, entry.currency, line.amount)
        for tx_id, entry in zip(ids, entries, strict=True)
        for position, line in enumerate(entry.lines)
    ]
    _open_accounts(session, entries)
    with pipelined(session):
        insert_rows(session, table_of(LedgerPosting), POSTING_COLUMNS, postings)
        if session.get_bind().dialect.name == "postgresql":
            # Check the balance now, before queueing for the chain head, rather than at commit.
            session.execute(text("SET CONSTRAINTS ledger_postings_balanced IMMEDIATE"))
            session.execute(text("SET CONSTRAINTS ledger_postings_balanced DEFERRED"))
        head = _ask_for_head(session)
    now = utcnow()
    contents = [
        Content(
            id=tx_id,
            kind=entry.kind.value,
            key=entry.key,
            reference=entry.reference,
            reverses=entry.reverses,
            description=entry.description,
            created_at=now,
            postings=[(line.account, entry.currency, line.amount) for line in entry.lines],
        ).text()
        for tx_id, entry in zip(ids, entries, strict=True)
    ]
    seq, prev = _locked_head(session, head)
    rows = []
    for tx_id, entry, content in zip(ids, entries, contents, strict=True):
        seq += 1
        digest = link_hash(prev, seq, content)
        row = (entry.kind, entry.key, entry.reference, entry.reverses, entry.description, now)
        rows.append((tx_id, seq, *row, prev, digest))
        prev = digest
    with pipelined(session):
        insert_rows(session, table_of(LedgerTransaction), TRANSACTION_COLUMNS, rows)
        session.execute(update(ChainHead).where(ChainHead.id == HEAD_ID).values(seq=seq, hash=prev))
    return ids


def is_posted(session: Session, key: str) -> bool:
    return (
        session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.key == key)) is not None
    )


def record_payment(
    session: Session,
    *,
    key: str,
    order_id: str,
    amount: int,
    currency: str,
    parties: Parties,
    rates: Rates,
) -> str | None:
    """Post a captured payment by :func:`rules.payment_lines`; None if ``key`` was posted."""
    if is_posted(session, key):
        return None
    entry = Entry(
        K.PAYMENT,
        key,
        currency,
        rules.payment_lines(amount, parties, rates),
        f"Payment for order {order_id}",
        reference=order_id,
    )
    return post(session, [entry])[0]


def _lines_of(session: Session, tx_id: str) -> list[Line]:
    query = (
        select(LedgerPosting.account, LedgerAccount.type, LedgerPosting.amount)
        .join(LedgerAccount, LedgerAccount.name == LedgerPosting.account)
        .where(LedgerPosting.transaction_id == tx_id)
        .order_by(LedgerPosting.position)
    )
    return [Line(row.account, row.type, row.amount) for row in session.execute(query)]


def record_refund(
    session: Session,
    *,
    key: str,
    order_id: str,
    amount: int,
    currency: str,
    parties: Parties,
    rates: Rates,
) -> list[str]:
    """Reverse every payment of the order not reversed yet, each exactly, line by line.

    A payment the ledger never heard of (captured after the order was cancelled, and given
    straight back) is posted first, so the books show the money coming and going.
    """
    hold_chain(session)
    if is_posted(session, key) or is_posted(session, f"{key}:unrecorded"):
        return []
    reversal = aliased(LedgerTransaction)
    payments = list(
        session.scalars(
            select(LedgerTransaction)
            .where(
                LedgerTransaction.reference == order_id,
                LedgerTransaction.kind == K.PAYMENT,
                ~exists().where(reversal.reverses == LedgerTransaction.id),
            )
            .order_by(LedgerTransaction.seq)
        )
    )
    open_ids = [tx.id for tx in payments]
    lines = {tx_id: _lines_of(session, tx_id) for tx_id in open_ids}
    covered = sum(line.amount for found in lines.values() for line in found if line.amount > 0)
    if covered > amount:
        raise Conflict(
            f"A refund of {amount} for order {order_id} is less than its payments ({covered}); "
            "the ledger reverses whole payments only."
        )
    if covered < amount:
        unrecorded = record_payment(
            session,
            key=f"{key}:unrecorded",
            order_id=order_id,
            amount=amount - covered,
            currency=currency,
            parties=parties,
            rates=rates,
        )
        assert unrecorded is not None
        open_ids.append(unrecorded)
    entries = [
        Entry(
            K.REFUND,
            key if index == 0 else f"{key}:{index}",
            currency,
            rules.reversal_lines(lines.get(tx_id) or _lines_of(session, tx_id)),
            f"Refund for order {order_id}",
            reference=order_id,
            reverses=tx_id,
        )
        for index, tx_id in enumerate(open_ids)
    ]
    return post(session, entries)


def record_payout(
    session: Session, *, key: str, role: Role, party: str, amount: int, currency: str
) -> str | None:
    """Post money paid out to a party the platform owes; None if ``key`` was posted."""
    if is_posted(session, key):
        return None
    lines = rules.payout_lines(role, party, amount)
    entry = Entry(K.PAYOUT, key, currency, lines, f"Payout to {role} {party}", reference=party)
    return post(session, [entry])[0]


def record_cost(
    session: Session,
    *,
    key: str,
    order_id: str,
    enterprise: str,
    machine: int,
    material: int,
    currency: str,
) -> str | None:
    """Charge a micro-enterprise machine time (its cost in minor units) and material."""
    if is_posted(session, key):
        return None
    lines = rules.cost_lines(enterprise, machine, material)
    entry = Entry(K.COST, key, currency, lines, f"Production of order {order_id}", order_id)
    return post(session, [entry])[0]


def record_maker_job(
    session: Session,
    *,
    key: str,
    order_id: str,
    enterprise: str,
    maker: str,
    price: int,
    currency: str,
    description: str,
) -> str | None:
    """Charge a micro-enterprise the price its maker accepted for a job, owed to the maker."""
    if is_posted(session, key):
        return None
    lines = rules.maker_job_lines(enterprise, maker, price)
    entry = Entry(K.COST, key, currency, lines, description[:200], order_id)
    return post(session, [entry])[0]
