"""The posting rules' tables: every rule balances, shares follow the rates, refunds mirror."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c2m.domains.ledger.models import AccountType
from c2m.domains.ledger.rules import (
    Parties,
    Rates,
    Role,
    account,
    cost_lines,
    line,
    machine_cost,
    payment_lines,
    payout_lines,
    reversal_lines,
)

rate = st.fractions(min_value=0, max_value=Fraction(1, 3), max_denominator=10_000)


@given(
    st.integers(min_value=1, max_value=10**12),
    rate,
    rate,
    rate,
    st.booleans(),
    st.booleans(),
)
def test_a_payment_balances_and_each_share_is_its_rate_to_the_cent(
    amount: int,
    fee: Fraction,
    maker: Fraction,
    royalty: Fraction,
    by_maker: bool,
    co_designed: bool,
) -> None:
    parties = Parties(
        "me", maker="mk" if by_maker else None, designers=(("ds", 1),) if co_designed else ()
    )
    lines = payment_lines(amount, parties, Rates(fee, maker, royalty))
    assert sum(line.amount for line in lines) == 0
    assert lines[0] == line(Role.PAYMENT_CLEARING, amount)
    credited = {line.account: -line.amount for line in lines[1:]}
    assert all(value > 0 for value in credited.values())
    expected = {Role.PLATFORM_FEES: (fee, None)}
    if by_maker:
        expected[Role.MAKER] = (maker, "mk")
    if co_designed:
        expected[Role.ROYALTIES] = (royalty, "ds")
    for role, (share, party) in expected.items():
        name, _ = account(role, party)
        assert abs(credited.get(name, 0) - amount * share) < 1
    reversed_lines = reversal_lines(lines)
    assert [line.amount for line in reversed_lines] == [-line.amount for line in lines]


def test_the_chart_names_valid_beancount_accounts_by_type() -> None:
    assert account(Role.ENTERPRISE, "ab12") == (
        "Liabilities:Enterprises:AB12",
        AccountType.LIABILITIES,
    )
    assert account(Role.PLATFORM_FEES) == ("Income:PlatformFees", AccountType.INCOME)
    with pytest.raises(ValueError, match="needs"):
        account(Role.MAKER)


def test_rates_above_the_whole_are_refused() -> None:
    with pytest.raises(ValueError, match="at most one"):
        Rates(Fraction(1, 2), maker=Fraction(1, 2), royalty=Fraction(1, 100))


def test_a_payout_settles_a_debt_from_clearing() -> None:
    lines = payout_lines(Role.MAKER, "k", 500)
    assert [(line.account, line.amount) for line in lines] == [
        ("Liabilities:Makers:K", 500),
        ("Assets:PaymentClearing", -500),
    ]
    with pytest.raises(ValueError, match="payout"):
        payout_lines(Role.PLATFORM_FEES, "k", 500)


def test_production_cost_charges_machine_hours_at_the_rate_and_material() -> None:
    assert machine_cost(5400, 3000) == 4500  # 1.5 h at 30.00 an hour
    assert machine_cost(1, 1800) == 0  # half a cent rounds to even
    lines = cost_lines("me", machine_cost(5400, 3000), 250)
    assert [(line.account, line.amount) for line in lines] == [
        ("Liabilities:Enterprises:ME", 4750),
        ("Income:MachineHours", -4500),
        ("Income:Material", -250),
    ]


@given(
    st.integers(min_value=1, max_value=10**9),
    rate,
    st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12),
)
def test_co_designers_split_the_royalty_share_to_the_cent_by_weight(
    amount: int, royalty: Fraction, weights: list[int]
) -> None:
    designers = tuple((f"u{index}", weight) for index, weight in enumerate(weights))
    rates = Rates(Fraction(1, 10), royalty=royalty)
    lines = payment_lines(amount, Parties("me", designers=designers), rates)
    assert sum(line.amount for line in lines) == 0
    alone = payment_lines(amount, Parties("me", designers=(("one", 1),)), rates)
    share = -sum(line.amount for line in alone if line.account.startswith("Liabilities:Roy"))
    cuts = {line.account: -line.amount for line in lines if line.type is AccountType.LIABILITIES}
    cuts.pop(account(Role.ENTERPRISE, "me")[0], None)
    assert sum(cuts.values()) == share
    whole = sum(weights)
    for name, weight in designers:
        cut = cuts.get(account(Role.ROYALTIES, name)[0], 0)
        assert abs(cut - Fraction(share * weight, whole)) < 1
