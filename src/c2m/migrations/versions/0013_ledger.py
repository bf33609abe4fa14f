"""double-entry ledger: accounts, transactions on a hash chain, postings the database balances

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:00:00.000000

The database itself keeps the books balanced and written rows unchanged:

* PostgreSQL: a ``DEFERRABLE INITIALLY DEFERRED`` constraint trigger on each posting checks at
  commit that its transaction sums to zero in every currency, so a transaction's postings may be
  written in any order but never committed unbalanced, nor added to later.
* SQLite has no deferred triggers. Postings are written first (their foreign key to the
  transaction is deferred to commit) and the transaction row seals them: a trigger refuses that
  row unless its postings sum to zero per currency, and another refuses a posting to a
  transaction whose row exists. The deferred foreign key refuses, at commit, postings whose
  transaction row never came; so every committed posting was checked with all of its siblings.
* Both: UPDATE and DELETE of accounts, transactions and postings are refused by triggers.

All of it is an addition: processes of the previous release run beside this schema unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = "c2m: ledger rows are never changed or removed"
LEDGER_TABLES = ("ledger_accounts", "ledger_transactions", "ledger_postings")

PG_GUARDS = """
CREATE FUNCTION c2m_ledger_balanced() RETURNS trigger AS $$
DECLARE off_currency TEXT;
BEGIN
  SELECT currency INTO off_currency FROM ledger_postings
  WHERE transaction_id = NEW.transaction_id GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'c2m: unbalanced ledger transaction: % does not sum to zero in %',
      NEW.transaction_id, off_currency;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION c2m_ledger_balanced();
CREATE FUNCTION c2m_ledger_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'c2m: ledger rows are never changed or removed (% on %)', TG_OP, TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
"""

PG_IMMUTABLE = """
CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION c2m_ledger_immutable();
"""

SQLITE_GUARDS = (
    """
CREATE TRIGGER ledger_transactions_balanced BEFORE INSERT ON ledger_transactions
WHEN EXISTS (SELECT 1 FROM ledger_postings WHERE transaction_id = NEW.id
             GROUP BY currency HAVING sum(amount) <> 0)
BEGIN SELECT RAISE(ABORT, 'c2m: unbalanced ledger transaction'); END;
""",
    """
CREATE TRIGGER ledger_postings_sealed BEFORE INSERT ON ledger_postings
WHEN EXISTS (SELECT 1 FROM ledger_transactions WHERE id = NEW.transaction_id)
BEGIN SELECT RAISE(ABORT, 'c2m: ledger transaction already posted'); END;
""",
)

SQLITE_IMMUTABLE = """
CREATE TRIGGER {table}_no_{verb} BEFORE {verb} ON {table}
BEGIN SELECT RAISE(ABORT, '{message}'); END;
"""


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "Assets",
                "Liabilities",
                "Equity",
                "Income",
                "Expenses",
                name="accounttype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ledger_accounts")),
    )
    op.create_table(
        "ledger_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_chain_head")),
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "payment",
                "refund",
                "payout",
                "cost",
                name="transactionkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("reverses", sa.String(length=32), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
        sa.UniqueConstraint("key", name=op.f("uq_ledger_transactions_key")),
        sa.UniqueConstraint("reverses", name=op.f("uq_ledger_transactions_reverses")),
        sa.UniqueConstraint("seq", name=op.f("uq_ledger_transactions_seq")),
    )
    op.create_index(
        op.f("ix_ledger_transactions_reference"), "ledger_transactions", ["reference"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_transactions_created_at"), "ledger_transactions", ["created_at"]
    )
    op.create_table(
        "ledger_postings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("transaction_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_postings_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account"],
            ["ledger_accounts.name"],
            name=op.f("fk_ledger_postings_account_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_postings_transaction_id_ledger_transactions"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
        sa.UniqueConstraint(
            "transaction_id", "position", name=op.f("uq_ledger_postings_transaction_id")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_GUARDS)
        for table in LEDGER_TABLES:
            op.execute(PG_IMMUTABLE.format(table=table))
    else:
        for statement in SQLITE_GUARDS:
            op.execute(statement)
        for table in LEDGER_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(SQLITE_IMMUTABLE.format(table=table, verb=verb, message=IMMUTABLE))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for table in LEDGER_TABLES:
            op.execute(f"DROP TRIGGER {table}_immutable ON {table}")
        op.execute("DROP TRIGGER ledger_postings_balanced ON ledger_postings")
        op.execute("DROP FUNCTION c2m_ledger_immutable()")
        op.execute("DROP FUNCTION c2m_ledger_balanced()")
    op.drop_table("ledger_postings")
    op.drop_index(op.f("ix_ledger_transactions_reference"), table_name="ledger_transactions")
    op.drop_index(op.f("ix_ledger_transactions_created_at"), table_name="ledger_transactions")
    op.drop_table("ledger_transactions")
    op.drop_table("ledger_chain_head")
    op.drop_table("ledger_accounts")
