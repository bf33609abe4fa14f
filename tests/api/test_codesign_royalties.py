"""Issue 16, shared value: a payment for a circle's model shares the co-design royalty among the
members whose demands it covers, by weight (1 per demand + 1 per vote on it), to the cent; a
refund takes it back; every payee sees what they earned and why."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.ledger.models import LedgerPosting, LedgerTransaction, TransactionKind
from c2m.domains.ledger.pnl import prefix
from c2m.domains.ledger.rules import Parties, Rates, Role, account, payment_lines
from c2m.domains.ledger.statements import trial_balance
from c2m.domains.orders import service as orders
from c2m.domains.orders.schemas import Cancel
from c2m.engines.splits import split
from c2m.kernel.clock import utcnow
from tests.api.test_access_control import log_in
from tests.api.test_circles import aggregate, demand, open_circle
from tests.conftest import Person, World
from tests.integration.test_preorder_batches import pay, preorder, settle


def relay(platform: Platform) -> None:
    while platform.relay.relay_once():
        pass


def vote(
    client: TestClient | httpx.Client, circle_id: str, item: dict[str, Any], voter: Person
) -> None:
    cast = client.post(
        f"/api/v1/circles/{circle_id}/items/{item['id']}/vote", headers=voter.headers
    )
    assert cast.status_code == 201, cast.text


def short_sleeves(
    client: TestClient | httpx.Client, world: World
) -> tuple[str, str, dict[str, int]]:
    """A circle whose short-sleeve model covers demands of alice (2 votes), bob (1 vote) and
    maker_b; the long one is bob's. The circle, a batch of the short model, the weights."""
    circle_id = open_circle(client, world)["id"]
    joined = client.put(f"/api/v1/circles/{circle_id}/membership", headers=world.maker_b.headers)
    assert joined.status_code == 200, joined.text
    alices = demand(client, circle_id, world.alice, sleeve=655, collar="kent")
    bobs = demand(client, circle_id, world.bob, sleeve=650)
    demand(client, circle_id, world.maker_b, sleeve=660)
    demand(client, circle_id, world.bob, sleeve=745, collar="cutaway")
    vote(client, circle_id, alices, world.bob)
    vote(client, circle_id, alices, world.maker_b)
    vote(client, circle_id, bobs, world.alice)
    aggregate(client, world, circle_id, 2)
    proposals = client.get(f"/api/v1/circles/{circle_id}/proposals", headers=world.alice.headers)
    short = next(p for p in proposals.json() if p["configuration"]["sleeve"] < 700)
    batch = client.post(
        f"/api/v1/proposals/{short['id']}/batches",
        json={"threshold": 2, "deadline": (utcnow() + timedelta(hours=1)).isoformat()},
        headers=world.maker_a.headers,
    )
    assert batch.status_code == 201, batch.text
    weights = {world.alice.user.id: 3, world.bob.user.id: 2, world.maker_b.user.id: 1}
    return circle_id, str(batch.json()["id"]), weights


def royalty_lines(platform: Platform, order_id: str, kind: TransactionKind) -> dict[str, int]:
    with platform.db.read() as session:
        rows = session.execute(
            select(LedgerPosting.account, LedgerPosting.amount)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
            .where(
                LedgerTransaction.reference == order_id,
                LedgerTransaction.kind == kind,
                LedgerPosting.account.startswith(prefix(Role.ROYALTIES)),
            )
        )
        return {row.account: -row.amount for row in rows}


def test_a_model_s_payment_shares_the_royalty_by_weight_to_the_cent(
    client: TestClient, platform: Platform, world: World
) -> None:
    circle_id, batch_id, weights = short_sleeves(client, world)
    order = preorder(client, batch_id, world.alice)
    pay(platform, world.alice, order["id"])
    relay(platform)

    rates = Rates(Fraction(platform.settings.platform_fee_rate), royalty=Fraction(1, 20))
    whole = payment_lines(order["total"], Parties("e", designers=(("one", 1),)), rates)
    share = -next(line.amount for line in whole if line.account.startswith("Liabilities:Roy"))
    assert share > 0
    members = sorted(weights)
    expected = dict(
        zip(
            [account(Role.ROYALTIES, m)[0] for m in members],
            split(share, [weights[m] for m in members]),
            strict=True,
        )
    )
    cuts = royalty_lines(platform, order["id"], TransactionKind.PAYMENT)
    assert cuts == expected
    assert sum(cuts.values()) == share
    assert account(Role.ROYALTIES, world.maker_a.user.id)[0] not in cuts  # no demand of theirs

    # The P&L of the enterprise shows the same royalties, linked to the same postings.
    pnl = client.get(
        f"/api/v1/enterprises/{world.enterprise_a.id}/statements/pnl",
        headers=world.maker_a.headers,
    ).json()
    royalties = next(f for f in pnl["currencies"][0]["figures"] if f["key"] == "royalties")
    assert royalties["money"]["minor"] == share

    # Alice sees what she earned, from which circle and model, and why.
    mine = client.get("/api/v1/me/earnings", headers=world.alice.headers)
    assert mine.status_code == 200, mine.text
    (earning,) = mine.json()["earnings"]
    assert earning["money"]["minor"] == expected[account(Role.ROYALTIES, world.alice.user.id)[0]]
    assert earning["order_id"] == order["id"]
    assert earning["model"]["circle_id"] == circle_id
    assert earning["model"]["circle_title"] == "Shirts for tall people"
    assert earning["basis"] == {"demands": 1, "votes": 2, "weight": 3, "of_weight": 6}
    assert mine.json()["totals"][0]["minor"] == earning["money"]["minor"]
    nothing = client.get("/api/v1/me/earnings", headers=world.maker_a.headers).json()
    assert nothing == {"totals": [], "earnings": []}

    log_in(client, world.alice.user.email)
    page = client.get("/account/earnings")
    assert page.status_code == 200
    assert "Shirts for tall people</a> · model" in page.text
    assert earning["money"]["formatted"] in page.text
    assert "1 demand covered, 2 votes on them: 3 of 6 shares" in page.text

    # A refund takes every share back exactly; the books still balance.
    with platform.db.write() as session:
        orders.refund(
            session, world.maker_a.actor, order["id"], Cancel(reason="wrong"), platform.payments
        )
    relay(platform)
    assert royalty_lines(platform, order["id"], TransactionKind.REFUND) == {
        name: -cut for name, cut in expected.items()
    }
    after = client.get("/api/v1/me/earnings", headers=world.alice.headers).json()
    assert [e["kind"] for e in after["earnings"]] == ["refund", "payment"]
    assert after["totals"][0]["minor"] == 0
    with platform.db.read() as session:
        assert trial_balance(session).balanced


def test_orders_of_the_released_model_pay_royalties_other_orders_do_not(
    client: TestClient, platform: Platform, world: World
) -> None:
    circle_id, batch_id, weights = short_sleeves(client, world)
    for person in (world.alice, world.bob):
        pay(platform, person, preorder(client, batch_id, person)["id"])
    [released] = settle(platform)
    assert released.status.value == "released"
    proposals = client.get(f"/api/v1/circles/{circle_id}/proposals", headers=world.alice.headers)
    design = next(p["batch"]["design_id"] for p in proposals.json() if p["batch"])
    # The model is a catalog variant now; its owner orders it as a saved design.
    again = client.post(f"/api/v1/designs/{design}/order", headers=world.maker_a.headers)
    assert again.status_code == 201, again.text
    pay(platform, world.maker_a, again.json()["id"])
    plain = client.post(
        "/api/v1/orders",
        json={"lines": [{"product_id": world.product_a.id, "quantity": 1}]},
        headers=world.bob.headers,
    )
    pay(platform, world.bob, plain.json()["id"])
    relay(platform)

    assert set(royalty_lines(platform, again.json()["id"], TransactionKind.PAYMENT)) == {
        account(Role.ROYALTIES, member)[0] for member in weights
    }
    assert royalty_lines(platform, plain.json()["id"], TransactionKind.PAYMENT) == {}
    value = client.get(
        f"/api/v1/enterprises/{world.enterprise_a.id}/statements/value-added",
        headers=world.maker_a.headers,
    ).json()
    assert (value["users"]["co_designed_orders"], value["users"]["paid_orders"]) == (3, 4)
