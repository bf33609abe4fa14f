"""Posting rules: which accounts an event moves, each rule a small table.

Amounts are minor units, debits positive, credits negative; every rule's lines sum to zero.
Shares of one amount are cut by :func:`c2m.engines.splits.split` (largest remainder), so no
cent is lost or invented. docs/ledger.md shows the same tables for people.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from c2m.domains.ledger.models import AccountType
from c2m.engines.splits import Weight, split

A = AccountType


class Role(enum.StrEnum):
    """What an account is for; with its party (whose it is) it names one account."""

    PAYMENT_CLEARING = "payment_clearing"
    PLATFORM_FEES = "platform_fees"
    ENTERPRISE = "enterprise"
    MAKER = "maker"
    ROYALTIES = "royalties"
    MACHINE_HOURS = "machine_hours"
    MATERIAL = "material"


#: The chart of accounts: each role's type and name (``{party}`` is an id, upper-cased so the
#: name is a valid Beancount account).
CHART: dict[Role, tuple[AccountType, str]] = {
    Role.PAYMENT_CLEARING: (A.ASSETS, "Assets:PaymentClearing"),  # money held by the provider
    Role.PLATFORM_FEES: (A.INCOME, "Income:PlatformFees"),
    Role.ENTERPRISE: (A.LIABILITIES, "Liabilities:Enterprises:{party}"),  # owed to a team
    Role.MAKER: (A.LIABILITIES, "Liabilities:Makers:{party}"),  # owed to a maker
    Role.ROYALTIES: (A.LIABILITIES, "Liabilities:Royalties:{party}"),  # owed to a co-designer
    Role.MACHINE_HOURS: (A.INCOME, "Income:MachineHours"),  # the factory's hours, charged
    Role.MATERIAL: (A.INCOME, "Income:Material"),  # material used, charged
}


@dataclass(frozen=True)
class Line:
    """One posting to be made: ``amount`` on ``account`` (debit positive)."""

    account: str
    type: AccountType
    amount: int


def account(role: Role, party: str | None = None) -> tuple[str, AccountType]:
    """The name and type of ``role``'s account for ``party`` (required by per-party roles)."""
    kind, pattern = CHART[role]
    if ("{party}" in pattern) != (party is not None):
        raise ValueError(f"the {role} account {'needs' if party is None else 'takes no'} party")
    return pattern.format(party=(party or "").upper()), kind


def line(role: Role, amount: int, party: str | None = None) -> Line:
    name, kind = account(role, party)
    return Line(name, kind, amount)


@dataclass(frozen=True)
class Parties:
    """Who shares a payment; a maker or co-designers only when there are some.

    Co-designers share the royalty in proportion to their weights (for a circle's model, the
    rule in docs/ledger.md: one per demand the model covers plus one per vote on it).
    """

    enterprise: str
    maker: str | None = None
    designers: tuple[tuple[str, Weight], ...] = ()


@dataclass(frozen=True)
class Rates:
    """Fractions of a payment: the platform's fee, the maker's payout, the co-design royalty."""

    fee: Fraction
    maker: Fraction = Fraction(0)
    royalty: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        parts = (self.fee, self.maker, self.royalty)
        if any(part < 0 for part in parts) or sum(parts) > 1:
            raise ValueError("payment rates must be fractions that add up to at most one")


#: Payment captured: the money arrives in clearing (debit) and is owed out (credits):
#:
#: | line                     | account                       | amount                  |
#: |--------------------------|-------------------------------|-------------------------|
#: | money in                 | Assets:PaymentClearing        | + amount                |
#: | platform fee             | Income:PlatformFees           | - fee rate share        |
#: | co-design royalty, each  | Liabilities:Royalties:<D>     | - its cut of the share  |
#: | maker payout             | Liabilities:Makers:<K>        | - maker share, if any   |
#: | micro-enterprise revenue | Liabilities:Enterprises:<ME>  | - the rest              |


def payment_lines(amount: int, parties: Parties, rates: Rates) -> list[Line]:
    """The lines of a captured payment (table above); shares that round to zero are left out.

    The royalty share is cut from the amount first, then among the co-designers by weight, so
    each cut is exact and the co-designers' lines add up to the royalty share.
    """
    if amount <= 0:
        raise ValueError("a captured payment is a positive amount")
    royalty = rates.royalty if parties.designers else Fraction(0)
    maker = rates.maker if parties.maker is not None else Fraction(0)
    weights = (rates.fee, royalty, maker, 1 - rates.fee - royalty - maker)
    fee_share, royalty_share, maker_share, rest = split(amount, weights)
    designers = [designer for designer, _ in parties.designers]
    cuts = split(royalty_share, [weight for _, weight in parties.designers]) if designers else []
    shares = [
        (Role.PLATFORM_FEES, fee_share, None),
        *((Role.ROYALTIES, cut, designer) for cut, designer in zip(cuts, designers, strict=True)),
        (Role.MAKER, maker_share, parties.maker),
        (Role.ENTERPRISE, rest, parties.enterprise),
    ]
    credits = [line(role, -share, party) for role, share, party in shares if share]
    return [line(Role.PAYMENT_CLEARING, amount), *credits]


def reversal_lines(lines: Sequence[Line]) -> list[Line]:
    """Refund: the exact reversal of a payment, every line negated, in the same order."""
    return [Line(original.account, original.type, -original.amount) for original in lines]


#: Payout: what the platform owes a party leaves clearing for the party's bank:
#:
#: | line          | account                                        | amount    |
#: |---------------|------------------------------------------------|-----------|
#: | debt settled  | Liabilities:Enterprises/Makers/Royalties:<P>   | + amount  |
#: | money out     | Assets:PaymentClearing                         | - amount  |
PAYABLE: frozenset[Role] = frozenset({Role.ENTERPRISE, Role.MAKER, Role.ROYALTIES})


def payout_lines(role: Role, party: str, amount: int) -> list[Line]:
    if role not in PAYABLE or amount <= 0:
        raise ValueError("a payout is a positive amount to an enterprise, maker or co-designer")
    return [line(role, amount, party), line(Role.PAYMENT_CLEARING, -amount)]


SECONDS_PER_HOUR = 3600

#: Production cost: the factory charges the micro-enterprise for what making its order used:
#:
#: | line          | account                       | amount                                     |
#: |---------------|-------------------------------|--------------------------------------------|
#: | charged to ME | Liabilities:Enterprises:<ME>  | + machine cost + material                  |
#: | machine hours | Income:MachineHours           | - seconds x machine's hourly rate, rounded |
#: | material      | Income:Material               | - material cost                            |


def machine_cost(seconds: int, rate_per_hour: int) -> int:
    """Minor units for ``seconds`` of a machine at ``rate_per_hour``, half-even to the unit."""
    if seconds < 0 or rate_per_hour < 0:
        raise ValueError("machine time and rate cannot be negative")
    return round(Fraction(seconds * rate_per_hour, SECONDS_PER_HOUR))


def cost_lines(enterprise: str, hours: int, material: int) -> list[Line]:
    """``hours``: the machine time's cost in minor units (:func:`machine_cost`, or an order's
    share of it)."""
    if material < 0 or hours < 0:
        raise ValueError("a production cost cannot be negative")
    credits = [
        line(role, -amount)
        for role, amount in ((Role.MACHINE_HOURS, hours), (Role.MATERIAL, material))
        if amount
    ]
    if not credits:
        raise ValueError("a production cost needs machine time or material")
    return [line(Role.ENTERPRISE, hours + material, enterprise), *credits]


#: A maker's job: the micro-enterprise whose order it is owes the maker the accepted price:
#:
#: | line          | account                       | amount               |
#: |---------------|-------------------------------|----------------------|
#: | charged to ME | Liabilities:Enterprises:<ME>  | + the accepted price |
#: | owed to maker | Liabilities:Makers:<K>        | - the accepted price |


def maker_job_lines(enterprise: str, maker: str, price: int) -> list[Line]:
    if price <= 0:
        raise ValueError("a maker's job is paid a positive price")
    return [line(Role.ENTERPRISE, price, enterprise), line(Role.MAKER, -price, maker)]
