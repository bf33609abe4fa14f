"""What a maker earned: each finished job's price owed to them (and payouts that settled it),
read from their account in the ledger, so the dashboard shows what the books say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.ledger.models import LedgerPosting, LedgerTransaction, TransactionKind
from c2m.domains.ledger.rules import Role, account

RECENT = 20


@dataclass(frozen=True)
class MakerEarning:
    at: datetime
    what: str  # the job's title, or "Paid out"
    kind: TransactionKind
    currency: str
    amount: int  # earned: positive for a job, negative for a payout to the maker


@dataclass(frozen=True)
class MakerEarnings:
    owed: dict[str, int]  # per currency, what the platform owes the maker now
    recent: list[MakerEarning]


def maker_earnings(session: Session, maker_id: str, limit: int = RECENT) -> MakerEarnings:
    own = account(Role.MAKER, maker_id)[0]
    balances = session.execute(
        select(LedgerPosting.currency, func.sum(LedgerPosting.amount))
        .where(LedgerPosting.account == own)
        .group_by(LedgerPosting.currency)
    )
    rows = session.execute(
        select(
            LedgerTransaction.created_at,
            LedgerTransaction.description,
            LedgerTransaction.kind,
            LedgerPosting.currency,
            LedgerPosting.amount,
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerPosting.account == own)
        .order_by(LedgerTransaction.seq.desc())
        .limit(limit)
    )
    return MakerEarnings(
        owed={currency: -int(total) for currency, total in balances if total},
        recent=[
            MakerEarning(
                at,
                "Paid out" if kind is TransactionKind.PAYOUT else description,
                kind,
                currency,
                -amount,
            )
            for at, description, kind, currency, amount in rows
        ],
    )
