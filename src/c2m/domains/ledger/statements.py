"""Statements read from the postings: balances per account and the trial balance."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.ledger.models import AccountType, LedgerAccount, LedgerPosting
from c2m.kernel.money import format_amount, to_decimal


@dataclass(frozen=True)
class Balance:
    account: str
    type: AccountType
    currency: str
    amount: int


@dataclass
class TrialBalance:
    """Totals per account type and currency; each currency's overall sum is zero when the
    books balance (every transaction does, so the whole must)."""

    accounts: list[Balance]
    by_type: dict[tuple[AccountType, str], int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return all(total == 0 for total in self.totals.values())

    def as_json(self) -> dict[str, Any]:
        """Amounts in minor units and, as text, in major units with the currency's decimals."""

        def money(amount: int, currency: str) -> dict[str, Any]:
            return {
                "currency": currency,
                "minor": amount,
                "amount": str(to_decimal(amount, currency)),
                "formatted": format_amount(amount, currency),
            }

        return {
            "balanced": self.balanced,
            "types": [
                {"type": kind.value, **money(amount, currency)}
                for (kind, currency), amount in sorted(self.by_type.items())
            ],
            "totals": [money(amount, currency) for currency, amount in sorted(self.totals.items())],
            "accounts": [
                {"account": b.account, "type": b.type.value, **money(b.amount, b.currency)}
                for b in self.accounts
            ],
        }


def trial_balance(session: Session) -> TrialBalance:
    query = (
        select(
            LedgerPosting.account,
            LedgerAccount.type,
            LedgerPosting.currency,
            func.sum(LedgerPosting.amount).label("amount"),
        )
        .join(LedgerAccount, LedgerAccount.name == LedgerPosting.account)
        .group_by(LedgerPosting.account, LedgerAccount.type, LedgerPosting.currency)
        .order_by(LedgerPosting.account, LedgerPosting.currency)
    )
    accounts = [
        Balance(row.account, row.type, row.currency, int(row.amount))
        for row in session.execute(query)
    ]
    by_type: dict[tuple[AccountType, str], int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    for balance in accounts:
        by_type[(balance.type, balance.currency)] += balance.amount
        totals[balance.currency] += balance.amount
    return TrialBalance(accounts, dict(by_type), dict(totals))
