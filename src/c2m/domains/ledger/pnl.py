"""A micro-enterprise's profit and loss for a period, read from the postings.

The postings of an enterprise are every posting of the transactions that touch its account
(``Liabilities:Enterprises:<ID>``): its payments show the whole split (fee, royalties, makers,
its share), its refunds and production costs what it gave back and was charged. Each figure is
the sum of one slice of them (an account, or every account under a prefix, in transactions of
some kinds), and names that slice, so a figure and the postings listed behind it always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from c2m.domains.ledger.models import LedgerPosting, LedgerTransaction, TransactionKind
from c2m.domains.ledger.periods import Period
from c2m.domains.ledger.rules import CHART, Role, account
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import InvalidInput
from c2m.kernel.keyset import Window, select_page

K = TransactionKind
#: The kinds a result is made of: payouts settle a debt, they are neither earned nor spent.
RESULT = (K.PAYMENT, K.REFUND, K.COST)


def prefix(role: Role) -> str:
    """What every per-party account of ``role`` starts with: ``Liabilities:Royalties:``."""
    return CHART[role][1].removesuffix("{party}")


@dataclass(frozen=True)
class Slice:
    """Which postings a figure sums: on ``accounts`` (one ending in ``:`` stands for every
    account under it) in transactions of ``kinds``; ``sign`` turns the sum the way the
    statement shows it."""

    accounts: tuple[str, ...]
    kinds: tuple[TransactionKind, ...]
    sign: int = 1

    def matches(self, name: str, kind: TransactionKind) -> bool:
        return kind in self.kinds and any(_names(pattern, name) for pattern in self.accounts)


def _names(pattern: str, name: str) -> bool:
    return name.startswith(pattern) if pattern.endswith(":") else name == pattern


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    amount: int  # minor units, as the statement shows it
    slice: Slice


@dataclass(frozen=True)
class Statement:
    """One currency's figures of one enterprise and period."""

    currency: str
    figures: list[Figure]

    def __getitem__(self, key: str) -> Figure:
        return next(figure for figure in self.figures if figure.key == key)


def slices(enterprise_id: str) -> list[tuple[str, str, Slice]]:
    """The P&L's lines, top to bottom: key, label, the postings it sums."""
    own = account(Role.ENTERPRISE, enterprise_id)[0]
    return [
        ("sales", "Sales captured", Slice((account(Role.PAYMENT_CLEARING)[0],), (K.PAYMENT,))),
        ("fees", "Platform fees", Slice((account(Role.PLATFORM_FEES)[0],), (K.PAYMENT,), -1)),
        ("royalties", "Co-design royalties", Slice((prefix(Role.ROYALTIES),), (K.PAYMENT,), -1)),
        ("makers", "Maker payouts", Slice((prefix(Role.MAKER),), (K.PAYMENT,), -1)),
        ("revenue", "Revenue (your share)", Slice((own,), (K.PAYMENT,), -1)),
        ("refunds", "Refunds", Slice((own,), (K.REFUND,))),
        ("costs", "Production costs", Slice((own,), (K.COST,))),
        ("net", "Net result", Slice((own,), RESULT, -1)),
    ]


def _touching(enterprise_id: str, period: Period) -> Select[str]:
    """Ids of the period's transactions that post to the enterprise's account."""
    own = account(Role.ENTERPRISE, enterprise_id)[0]
    return (
        select(LedgerPosting.transaction_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(
            LedgerPosting.account == own,
            LedgerTransaction.created_at >= period.start,
            LedgerTransaction.created_at < period.end,
        )
    )


def pnl(session: Session, actor: Actor, enterprise_id: str, period: Period) -> list[Statement]:
    """The P&L per currency the enterprise dealt in (members only; others get 404)."""
    actor.require_member_of(enterprise_id)
    query = (
        select(
            LedgerPosting.account,
            LedgerTransaction.kind,
            LedgerPosting.currency,
            func.sum(LedgerPosting.amount).label("amount"),
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerPosting.transaction_id.in_(_touching(enterprise_id, period)))
        .group_by(LedgerPosting.account, LedgerTransaction.kind, LedgerPosting.currency)
    )
    sums: dict[str, list[tuple[str, TransactionKind, int]]] = defaultdict(list)
    for row in session.execute(query):
        sums[row.currency].append((row.account, row.kind, int(row.amount)))
    return [
        Statement(
            currency,
            [
                Figure(
                    key,
                    label,
                    cut.sign * sum(a for name, kind, a in found if cut.matches(name, kind)),
                    cut,
                )
                for key, label, cut in slices(enterprise_id)
            ],
        )
        for currency, found in sorted(sums.items())
    ]


@dataclass(frozen=True)
class PostingRow:
    seq: int
    transaction_id: str
    at: datetime
    kind: TransactionKind
    reference: str | None
    description: str
    account: str
    currency: str
    amount: int
    id: int  # the posting's own, which orders the lines of one transaction

    @property
    def created_at(self) -> datetime:
        """Its transaction's time: with ``id``, the key a list of postings is paged by."""
        return self.at


def postings(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    period: Period,
    accounts: Sequence[str],
    kinds: Sequence[TransactionKind] = (),
    window: Window | None = None,
) -> list[PostingRow]:
    """The postings behind a figure: on ``accounts`` (one ending in ``:`` is every account
    under it), in the enterprise's transactions of the period, of ``kinds`` (all when empty),
    all in chain order, or one ``window`` of them oldest first (by transaction time, then id)."""
    actor.require_member_of(enterprise_id)
    if not accounts or not all(accounts):
        raise InvalidInput("Name the accounts whose postings to list.")
    named = or_(
        *(
            LedgerPosting.account.startswith(name, autoescape=True)
            if name.endswith(":")
            else LedgerPosting.account == name
            for name in accounts
        )
    )
    query = (
        select(
            LedgerTransaction.seq,
            LedgerTransaction.id.label("transaction_id"),
            LedgerTransaction.created_at.label("at"),
            LedgerTransaction.kind,
            LedgerTransaction.reference,
            LedgerTransaction.description,
            LedgerPosting.account,
            LedgerPosting.currency,
            LedgerPosting.amount,
            LedgerPosting.id,
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(named, LedgerPosting.transaction_id.in_(_touching(enterprise_id, period)))
    )
    if kinds:
        query = query.where(LedgerTransaction.kind.in_(list(kinds)))
    if window is None:
        query = query.order_by(LedgerTransaction.seq, LedgerPosting.position)
    else:
        query = select_page(query, window, LedgerTransaction.created_at, LedgerPosting.id)
    return [PostingRow(**row._mapping) for row in session.execute(query)]
