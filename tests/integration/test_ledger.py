"""Acceptance of issue 16 on SQLite and PostgreSQL: postings from concurrent threads keep the
trial balance at zero, a refund reverses exactly, the database itself refuses an unbalanced
transaction and any change to a posted row, and the hash chain finds rows changed around it."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import pytest
from beancount import loader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from c2m.domains.ledger import export, service
from c2m.domains.ledger.chain import verify
from c2m.domains.ledger.models import LedgerPosting, LedgerTransaction, TransactionKind
from c2m.domains.ledger.rules import Parties, Rates, Role, payment_lines
from c2m.domains.ledger.service import Entry
from c2m.domains.ledger.statements import trial_balance
from c2m.domains.ledger.writer import LedgerWriter
from c2m.kernel.db import Database
from c2m.kernel.money import to_decimal

RATES = Rates(Fraction(1, 10), maker=Fraction(1, 4), royalty=Fraction(1, 20))
SLOW = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@dataclass(frozen=True)
class Sale:
    """One order's money: paid, then perhaps refunded, then a payout to its team."""

    amount: int
    currency: str
    enterprise: str
    maker: bool
    designer: bool
    refund: bool
    payout: int


sales = st.builds(
    Sale,
    amount=st.integers(min_value=1, max_value=10**9),
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
    enterprise=st.sampled_from(["e1", "e2", "e3"]),
    maker=st.booleans(),
    designer=st.booleans(),
    refund=st.booleans(),
    payout=st.integers(min_value=0, max_value=10**6),
)


def run_sale(db: Database, sale: Sale, prefix: str) -> None:
    order = f"{prefix}-{uuid.uuid4().hex[:8]}"
    parties = Parties(
        sale.enterprise,
        maker="k1" if sale.maker else None,
        designers=(("d1", 1),) if sale.designer else (),
    )
    money = {"order_id": order, "amount": sale.amount, "currency": sale.currency}
    with db.write() as session:
        service.record_payment(session, key=f"{order}:paid", parties=parties, rates=RATES, **money)
    if sale.refund:
        with db.write() as session:
            service.record_refund(
                session, key=f"{order}:refund", parties=parties, rates=RATES, **money
            )
    if sale.payout:
        with db.write() as session:
            service.record_payout(
                session,
                key=f"{order}:payout",
                role=Role.ENTERPRISE,
                party=sale.enterprise,
                amount=sale.payout,
                currency=sale.currency,
            )


@SLOW
@given(st.lists(st.lists(sales, max_size=6), min_size=2, max_size=4))
def test_concurrent_postings_keep_the_trial_balance_at_zero_and_the_chain_whole(
    db: Database, threads: list[list[Sale]]
) -> None:
    errors: list[BaseException] = []

    def work(index: int, mine: list[Sale]) -> None:
        try:
            for sale in mine:
                run_sale(db, sale, f"t{index}")
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=item) for item in enumerate(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with db.read() as session:
        balance = trial_balance(session)
        assert balance.balanced, balance.totals
        checked, broken = verify(session)
        assert broken is None
        assert checked == session.scalar(select(func.count()).select_from(LedgerTransaction))


@SLOW
@given(sales)
def test_a_refund_reverses_its_payment_exactly(db: Database, sale: Sale) -> None:
    order = uuid.uuid4().hex
    parties = Parties(sale.enterprise, maker="k9", designers=(("d9", 1),))
    money = {"order_id": order, "amount": sale.amount, "currency": sale.currency}
    with db.write() as session:
        paid = service.record_payment(
            session, key=f"{order}:p", parties=parties, rates=RATES, **money
        )
        (refund,) = service.record_refund(
            session, key=f"{order}:r", parties=parties, rates=RATES, **money
        )
        again = service.record_refund(
            session, key=f"{order}:r", parties=parties, rates=RATES, **money
        )
    assert again == []

    def lines(tx_id: str | None) -> list[tuple[int, str, str, int]]:
        query = select(
            LedgerPosting.position,
            LedgerPosting.account,
            LedgerPosting.currency,
            LedgerPosting.amount,
        ).where(LedgerPosting.transaction_id == tx_id)
        with db.read() as session:
            return sorted(tuple(row) for row in session.execute(query))  # type: ignore[misc]

    assert lines(refund) == [(p, a, c, -amount) for p, a, c, amount in lines(paid)]
    with db.read() as session:
        assert (
            session.scalar(select(LedgerTransaction.reverses).where(LedgerTransaction.id == refund))
            == paid
        )


RAW_POSTING = (
    "INSERT INTO ledger_postings (transaction_id, position, account, currency, amount) "
    "VALUES (:tx, :position, :account, 'EUR', :amount)"
)
RAW_TRANSACTION = (
    "INSERT INTO ledger_transactions (id, seq, kind, key, description, created_at, prev_hash, hash)"
    " VALUES (:tx, :seq, 'payment', :tx, 'raw', CURRENT_TIMESTAMP, 'x', 'y')"
)


def raw_transaction(conn: Connection, tx: str, amounts: list[int]) -> None:
    for position, amount in enumerate(amounts):
        account = "Assets:PaymentClearing" if position == 0 else "Income:PlatformFees"
        conn.execute(
            text(RAW_POSTING),
            {"tx": tx, "position": position, "account": account, "amount": amount},
        )
    conn.execute(text(RAW_TRANSACTION), {"tx": tx, "seq": uuid.uuid4().int % 10**15 + 10**6})


def seed(db: Database, count: int = 3) -> None:
    for sale in range(count):
        run_sale(db, Sale(1000 + sale, "EUR", "e1", True, sale % 2 == 0, sale == 1, 7), "seed")


def test_the_database_refuses_an_unbalanced_transaction(db: Database) -> None:
    seed(db, 1)  # the accounts exist
    with db.engine.begin() as conn:
        raw_transaction(conn, "balanced", [500, -500])
    for amounts in ([500, -499], [500], [500, -200, -200]):
        with (
            pytest.raises(DatabaseError, match="unbalanced ledger transaction"),
            db.engine.begin() as conn,
        ):
            raw_transaction(conn, uuid.uuid4().hex, amounts)
    with (
        pytest.raises(DatabaseError, match="ledger transaction"),  # nor added to afterwards
        db.engine.begin() as conn,
    ):
        conn.execute(
            text(RAW_POSTING),
            {"tx": "balanced", "position": 9, "account": "Income:PlatformFees", "amount": 1},
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_postings SET amount = amount + 1",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_transactions SET description = 'edited'",
        "DELETE FROM ledger_transactions",
        "UPDATE ledger_accounts SET type = 'Assets'",
    ],
)
def test_posted_rows_are_never_changed_or_removed(db: Database, statement: str) -> None:
    seed(db, 1)
    with (
        pytest.raises(DatabaseError, match="ledger rows are never changed or removed"),
        db.engine.begin() as conn,
    ):
        conn.execute(text(statement))


@contextmanager
def around_the_guards(database_url: str) -> Iterator[object]:
    """A connection the immutability triggers do not stop: what an intruder with the database
    owner's rights, or someone editing the SQLite file, can do."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database))
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_%'"
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        try:
            yield conn
            conn.commit()
        finally:
            for _, sql in triggers:
                conn.execute(sql)
            conn.commit()
            conn.close()
        return
    engine = create_engine(database_url)
    with engine.begin() as sa_conn:
        sa_conn.execute(text("SET LOCAL session_replication_role = replica"))
        yield sa_conn.connection.dbapi_connection
    engine.dispose()


TAMPERING = [
    "UPDATE ledger_postings SET amount = amount + 1 WHERE id = {posting}",
    "UPDATE ledger_postings SET account = CASE account WHEN 'Income:PlatformFees' "
    "THEN 'Assets:PaymentClearing' ELSE 'Income:PlatformFees' END WHERE id = {posting}",
    "UPDATE ledger_transactions SET description = 'edited' WHERE id = '{tx}'",
    "DELETE FROM ledger_postings WHERE id = {posting}",
]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_tampering_with_any_posting_row_is_detected(
    db: Database, database_url: str, data: st.DataObject
) -> None:
    if not _has_rows(db):
        seed(db)
    with db.read() as session:
        rows = session.execute(
            select(LedgerPosting.id, LedgerPosting.transaction_id).order_by(LedgerPosting.id)
        ).all()
    posting, tx = data.draw(st.sampled_from(rows))
    change = data.draw(st.sampled_from(TAMPERING))
    before = _snapshot(database_url)
    with around_the_guards(database_url) as conn:
        conn.execute(change.format(posting=posting, tx=tx))  # type: ignore[attr-defined]
    with db.read() as session:
        _, broken = verify(session)
    try:
        assert broken is not None
        assert broken.transaction_id == tx, broken
        assert tx in str(broken)
    finally:
        _restore(database_url, before)
    with db.read() as session:
        assert verify(session)[1] is None


def _has_rows(db: Database) -> bool:
    with db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(LedgerPosting)))


Snapshot = dict[str, list[tuple[object, ...]]]


def _snapshot(database_url: str) -> Snapshot:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        taken = {
            table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}"))]
            for table in ("ledger_postings", "ledger_transactions")
        }
    engine.dispose()
    return taken


def _restore(database_url: str, snapshot: Snapshot) -> None:
    """Put the tampered rows back as they were (the guards are bypassed the same way)."""
    with around_the_guards(database_url) as conn:
        for table in ("ledger_postings", "ledger_transactions"):
            conn.execute(f"DELETE FROM {table}")  # type: ignore[attr-defined]
        for table, rows in snapshot.items():
            marks = ", ".join(
                ["?" if isinstance(conn, sqlite3.Connection) else "%s"] * len(rows[0])
            )
            for row in rows:
                conn.execute(f"INSERT INTO {table} VALUES ({marks})", row)  # type: ignore[attr-defined]


def test_the_beancount_export_is_read_by_beancount_without_errors(db: Database) -> None:
    seed(db, 4)
    with db.write() as session:
        service.record_payment(
            session,
            key="yen",
            order_id="o-yen",
            amount=12345,
            currency="JPY",
            parties=Parties("e2"),
            rates=RATES,
        )
    with db.read() as session:
        text_ = "\n".join(export.beancount(session))
        ours = {(b.account, b.currency): b.amount for b in trial_balance(session).accounts}
    entries, errors, _ = loader.load_string(text_)
    assert errors == []
    theirs: dict[tuple[str, str], object] = {}
    for entry in entries:
        for posting in getattr(entry, "postings", []):
            key = (posting.account, posting.units.currency)
            theirs[key] = theirs.get(key, 0) + posting.units.number  # type: ignore[operator]
    assert theirs == {key: to_decimal(amount, key[1]) for key, amount in ours.items()}


def test_group_committed_posting_from_many_threads_posts_each_key_once(db: Database) -> None:
    writer = LedgerWriter(db, max_batch=8)

    def entry(number: int) -> Entry:
        lines = payment_lines(100 + number, Parties(f"e{number % 3}"), RATES)
        return Entry(TransactionKind.PAYMENT, f"g{number}", "EUR", lines, f"payment {number}")

    answers: list[list[str]] = [[] for _ in range(4)]

    def work(thread: int) -> None:  # every thread posts the same keys: each is posted once
        answers[thread] = writer.post([entry(number) for number in range(30)])

    workers = [threading.Thread(target=work, args=(thread,)) for thread in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    writer.close()
    assert answers[1:] == answers[:-1]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == 30
        assert trial_balance(session).balanced
        assert verify(session) == (30, None)


def test_a_refund_of_a_payment_never_posted_shows_the_money_coming_and_going(
    db: Database,
) -> None:
    """The provider confirmed a payment after the customer cancelled; it was given straight back
    and the timeline only says "refunded"."""
    money = {"order_id": "late", "amount": 4_999, "currency": "EUR"}
    with db.write() as session:
        refunds = service.record_refund(
            session, key="late:r", parties=Parties("e1"), rates=RATES, **money
        )
        assert (
            service.record_refund(
                session, key="late:r", parties=Parties("e1"), rates=RATES, **money
            )
            == []
        )
    with db.read() as session:
        rows = session.execute(
            select(LedgerTransaction.kind, LedgerTransaction.id, LedgerTransaction.reverses)
            .where(LedgerTransaction.reference == "late")
            .order_by(LedgerTransaction.seq)
        ).all()
        assert [row.kind for row in rows] == [TransactionKind.PAYMENT, TransactionKind.REFUND]
        assert rows[1].id == refunds[0]
        assert rows[1].reverses == rows[0].id
        assert trial_balance(session).balanced
        assert verify(session)[1] is None
