"""What the ledger's statements return: amounts in minor units, exact text and Babel's format."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from c2m.kernel.money import format_amount, to_decimal


class Money(BaseModel):
    currency: str
    minor: int
    amount: str  # exact, in major units with the currency's ISO 4217 decimals
    formatted: str

    @classmethod
    def of(cls, minor: int, currency: str) -> Money:
        return cls(
            currency=currency,
            minor=minor,
            amount=str(to_decimal(minor, currency)),
            formatted=format_amount(minor, currency),
        )


class FigureOut(BaseModel):
    key: str
    label: str
    money: Money
    accounts: list[str]  # the postings it sums: these accounts ("…:" is every one under it)
    kinds: list[str]  # in transactions of these kinds
    postings: str  # the API link that lists them


class StatementOut(BaseModel):
    currency: str
    figures: list[FigureOut]


class PeriodOut(BaseModel):
    label: str
    start: datetime
    end: datetime  # excluded


class PnlOut(BaseModel):
    enterprise_id: str
    period: PeriodOut
    currencies: list[StatementOut]


class UsersOut(BaseModel):
    transactional: int
    interactive: int
    lifetime: int
    paid_orders: int
    co_designed_orders: int
    co_designed_share: float | None
    delivered_orders: int


class ValueAddedOut(BaseModel):
    enterprise_id: str
    period: PeriodOut
    users: UsersOut
    currencies: list[StatementOut]


class PostingOut(BaseModel):
    seq: int
    transaction_id: str
    at: datetime
    kind: str
    reference: str | None
    description: str
    account: str
    money: Money


class ModelRef(BaseModel):
    circle_id: str
    circle_title: str
    proposal_id: str
    number: int
    batch_id: str


class ShareBasis(BaseModel):
    """Why a person shares in a model's royalty (as it stands now)."""

    demands: int
    votes: int
    weight: int
    of_weight: int  # all co-designers' weights together


class EarningOut(BaseModel):
    seq: int
    transaction_id: str
    at: datetime
    kind: str
    order_id: str | None
    money: Money
    model: ModelRef | None
    basis: ShareBasis | None


class EarningsOut(BaseModel):
    totals: list[Money]
    earnings: list[EarningOut]
