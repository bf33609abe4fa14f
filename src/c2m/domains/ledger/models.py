"""The ledger's tables: accounts, transactions (a hash chain) and their postings.

Postings carry signed amounts in minor units, debits positive and credits negative (as in
Beancount), so a transaction is balanced when its postings sum to zero in each currency. The
database itself refuses an unbalanced transaction and any change to a written row (migration
0013); the chain makes a change made around those guards visible to ``c2m ledger verify``.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from c2m.kernel.clock import utcnow
from c2m.kernel.db import Base, UTCDateTime, value_enum
from c2m.kernel.ids import new_id


class AccountType(enum.StrEnum):
    """Beancount's five account types; an account's name starts with its type's word."""

    ASSETS = "Assets"
    LIABILITIES = "Liabilities"
    EQUITY = "Equity"
    INCOME = "Income"
    EXPENSES = "Expenses"


class TransactionKind(enum.StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    PAYOUT = "payout"
    COST = "cost"


class LedgerAccount(Base):
    """An account, named as Beancount names them (``Liabilities:Enterprises:<ID>``)."""

    __tablename__ = "ledger_accounts"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[AccountType] = mapped_column(value_enum(AccountType))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerTransaction(Base):
    """One balanced transaction, link ``seq`` of the hash chain."""

    __tablename__ = "ledger_transactions"
    # The scorecard reads a span's transactions about orders from this index alone
    # (migration 0022).
    __table_args__ = (
        Index("ix_ledger_transactions_created_at_kind", "created_at", "kind", "reference", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    kind: Mapped[TransactionKind] = mapped_column(value_enum(TransactionKind))
    # What the transaction is for, once: a repeated event finds it instead of posting again.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    reference: Mapped[str | None] = mapped_column(String(64), index=True)  # e.g. the order
    reverses: Mapped[str | None] = mapped_column(String(32), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LedgerPosting(Base):
    """One line of a transaction: an amount on an account, debit positive, credit negative."""

    __tablename__ = "ledger_postings"
    __table_args__ = (
        UniqueConstraint("transaction_id", "position"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        # Statements and earnings start from one account's postings (migration 0014); the
        # scorecard finds a transaction's line on an account with its amount (migration 0022).
        Index(
            "ix_ledger_postings_account_transaction_amount", "account", "transaction_id", "amount"
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    # Deferred: postings are written before their transaction row, which seals them (SQLite).
    transaction_id: Mapped[str] = mapped_column(
        ForeignKey("ledger_transactions.id", deferrable=True, initially="DEFERRED")
    )
    position: Mapped[int] = mapped_column(Integer)
    account: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.name"))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)


class ChainHead(Base):
    """The newest link of the hash chain; writers lock this one row to append in turn."""

    __tablename__ = "ledger_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
