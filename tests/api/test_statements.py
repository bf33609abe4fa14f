"""Issue 16, statements: a micro-enterprise's P&L and value-added statement, each figure equal to
the postings it links to (and to the trial balance), for its members only."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from fastapi.testclient import TestClient

from c2m.bootstrap import Platform
from c2m.domains.ledger import service as ledger
from c2m.domains.ledger.rules import Role, account
from c2m.domains.ledger.statements import trial_balance
from c2m.domains.orders import service as orders
from c2m.domains.orders.schemas import Cancel
from c2m.kernel.clock import utcnow
from tests.api.test_access_control import log_in
from tests.conftest import World
from tests.factory_support import paid_orders


def relay(platform: Platform) -> None:
    while platform.relay.relay_once():
        pass


def books(client: TestClient | httpx.Client, platform: Platform, world: World) -> list[str]:
    """Three paid orders of enterprise A (90.00 EUR each), one refunded, one charged production."""
    ids = paid_orders(client, world, 3)
    with platform.db.write() as session:
        orders.refund(
            session, world.maker_a.actor, ids[0], Cancel(reason="scratched"), platform.payments
        )
    with platform.db.write() as session:
        ledger.record_cost(
            session,
            key=f"cost:{ids[1]}",
            order_id=ids[1],
            enterprise=world.enterprise_a.id,
            machine=3000,  # 1.5 h at 20.00
            material=350,
            currency="EUR",
        )
    relay(platform)
    return ids


def figures(statement: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (eur,) = statement["currencies"]
    assert eur["currency"] == "EUR"
    return {figure["key"]: figure for figure in eur["figures"]}


def posted_sum(client: TestClient, world: World, figure: dict[str, Any]) -> int:
    listed = client.get(figure["postings"], headers=world.maker_a.headers)
    assert listed.status_code == 200, listed.text
    return sum(int(row["money"]["minor"]) for row in listed.json())


def test_every_pnl_figure_is_the_sum_of_the_postings_it_links_to(
    client: TestClient, platform: Platform, world: World
) -> None:
    books(client, platform, world)
    month = utcnow().strftime("%Y-%m")
    base = f"/api/v1/enterprises/{world.enterprise_a.id}/statements"
    response = client.get(f"{base}/pnl?period={month}", headers=world.maker_a.headers)
    assert response.status_code == 200, response.text
    found = figures(response.json())
    minor = {key: int(figure["money"]["minor"]) for key, figure in found.items()}
    assert minor == {
        "sales": 27000,
        "fees": 2700,
        "royalties": 0,
        "makers": 0,
        "revenue": 24300,
        "refunds": 8100,
        "costs": 3350,  # 1.5 h x 20.00 + 3.50 material
        "net": 12850,
    }
    assert found["net"]["money"]["formatted"] == "€128.50"
    for key, figure in found.items():
        sign = -1 if key in {"fees", "royalties", "makers", "revenue", "net"} else 1
        assert sign * posted_sum(client, world, figure) == minor[key], key

    # The enterprise's account in the trial balance is what it is owed: its net result.
    own = account(Role.ENTERPRISE, world.enterprise_a.id)[0]
    with platform.db.read() as session:
        balances = {b.account: b.amount for b in trial_balance(session).accounts}
    assert -balances[own] == minor["net"]

    # Another month has nothing; a span of days covering today has the same figures.
    assert (
        client.get(f"{base}/pnl?period=2001-01", headers=world.maker_a.headers).json()["currencies"]
        == []
    )
    today = utcnow().date().isoformat()
    days = client.get(f"{base}/pnl?from={today}&to={today}", headers=world.maker_a.headers)
    assert {k: f["money"]["minor"] for k, f in figures(days.json()).items()} == minor
    bad = client.get(f"{base}/pnl?period=2026-13", headers=world.maker_a.headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_the_value_added_statement_counts_users_and_links_money(
    client: TestClient, platform: Platform, world: World
) -> None:
    books(client, platform, world)
    base = f"/api/v1/enterprises/{world.enterprise_a.id}/statements"
    response = client.get(f"{base}/value-added", headers=world.maker_a.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["users"] == {
        "transactional": 1,
        "interactive": 0,
        "lifetime": 1,  # alice paid three times
        "paid_orders": 3,
        "co_designed_orders": 0,
        "co_designed_share": 0.0,
        "delivered_orders": 0,
    }
    found = figures(body)
    assert found["value_added"]["money"]["minor"] == 12850
    assert -posted_sum(client, world, found["value_added"]) == 12850
    assert found["shared"]["money"]["minor"] == 0


def test_strangers_get_404_and_postings_download_as_csv(
    client: TestClient, platform: Platform, world: World
) -> None:
    books(client, platform, world)
    base = f"/api/v1/enterprises/{world.enterprise_a.id}/statements"
    own = account(Role.ENTERPRISE, world.enterprise_a.id)[0]
    for path in ("pnl", "value-added", f"postings?account={own}"):
        for stranger in (world.bob, world.maker_b):
            refused = client.get(f"{base}/{path}", headers=stranger.headers)
            assert refused.status_code == 404, (path, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")

    download = client.get(
        f"{base}/postings?account={own}&kind=payment&format=csv", headers=world.maker_a.headers
    )
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [row["amount"] for row in rows] == ["-81.00"] * 3
    assert {row["kind"] for row in rows} == {"payment"}


def test_the_statement_page_links_every_amount_to_its_postings(
    client: TestClient, platform: Platform, world: World
) -> None:
    books(client, platform, world)
    log_in(client, world.maker_a.user.email)
    workshop = client.get("/workshop")
    statement_page = f"/workshop/enterprises/{world.enterprise_a.id}/statement"
    assert f'href="{statement_page}"' in workshop.text
    page = client.get(statement_page)
    assert page.status_code == 200
    assert "€128.50" in page.text
    assert "€270.00" in page.text
    link = page.text.split('class="figure figure-net')[1].split('href="')[1].split('"')[0]
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert "Sum: <strong>-€128.50</strong>" in listed.text
    assert "format=csv" in listed.text

    client.cookies.clear()
    log_in(client, world.bob.user.email)
    assert client.get(statement_page).status_code == 404
