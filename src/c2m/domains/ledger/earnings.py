"""What a person earned as a co-designer: their royalty postings, each with the order, circle
and model it came from, and why they share in it (their demands the model covers, the votes
those received)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.circles import royalties
from c2m.domains.circles.royalties import Contribution, Model
from c2m.domains.ledger.models import LedgerPosting, LedgerTransaction, TransactionKind
from c2m.domains.ledger.rules import Role, account
from c2m.domains.ledger.schemas import EarningOut, EarningsOut, ModelRef, Money, ShareBasis
from c2m.domains.platform.actor import Actor

EARNING = (TransactionKind.PAYMENT, TransactionKind.REFUND)


@dataclass(frozen=True)
class Earning:
    seq: int
    transaction_id: str
    at: datetime
    kind: TransactionKind
    order_id: str | None
    currency: str
    amount: int  # earned: positive for a payment, negative when a refund took it back
    model: Model | None
    yours: Contribution | None  # your part in the model, as it stands now


def earnings(session: Session, actor: Actor, limit: int = 200, offset: int = 0) -> list[Earning]:
    """The actor's royalty postings, newest first."""
    own = account(Role.ROYALTIES, actor.user_id)[0]
    rows = session.execute(
        select(
            LedgerTransaction.seq,
            LedgerTransaction.id,
            LedgerTransaction.created_at,
            LedgerTransaction.kind,
            LedgerTransaction.reference,
            LedgerPosting.currency,
            LedgerPosting.amount,
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerPosting.account == own, LedgerTransaction.kind.in_(EARNING))
        .order_by(LedgerTransaction.seq.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    models = {
        order_id: royalties.model_of_order(session, order_id)
        for order_id in {row.reference for row in rows if row.reference}
    }
    found = []
    for row in rows:
        model = models.get(row.reference) if row.reference else None
        mine = None if model is None else _mine(model, actor.user_id)
        found.append(Earning(*row[:5], row.currency, -row.amount, model, mine))
    return found


def _mine(model: Model, user_id: str) -> Contribution | None:
    return next((c for c in model.contributions if c.user_id == user_id), None)


def totals(found: list[Earning]) -> dict[str, int]:
    """Earned per currency, over the listed postings."""
    sums: dict[str, int] = {}
    for earning in found:
        sums[earning.currency] = sums.get(earning.currency, 0) + earning.amount
    return dict(sorted(sums.items()))


def as_out(found: list[Earning]) -> EarningsOut:
    """The API's and the page's shape of a list of earnings."""
    return EarningsOut(
        totals=[Money.of(amount, currency) for currency, amount in totals(found).items()],
        earnings=[_out(earning) for earning in found],
    )


def _out(earning: Earning) -> EarningOut:
    model, mine = earning.model, earning.yours
    return EarningOut(
        seq=earning.seq,
        transaction_id=earning.transaction_id,
        at=earning.at,
        kind=earning.kind.value,
        order_id=earning.order_id,
        money=Money.of(earning.amount, earning.currency),
        model=None
        if model is None
        else ModelRef(
            circle_id=model.circle_id,
            circle_title=model.circle_title,
            proposal_id=model.proposal_id,
            number=model.number,
            batch_id=model.batch_id,
        ),
        basis=None
        if model is None or mine is None
        else ShareBasis(
            demands=mine.demands,
            votes=mine.votes,
            weight=mine.weight,
            of_weight=sum(c.weight for c in model.contributions),
        ),
    )
