"""Issue 16 on a phone: a micro-enterprise's owner reads the statement, opens the postings behind
a figure; a co-designer reads what they earned."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.api.test_codesign_royalties import short_sleeves
from tests.api.test_statements import books, relay
from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep
from tests.integration.test_preorder_batches import pay

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_owner_reads_the_statement_and_a_co_designer_their_earnings(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    platform = live_server.platform
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        books(client, platform, world)
        _, batch_id, _ = short_sleeves(client, world)
        order = client.post(f"/api/v1/batches/{batch_id}/preorders", headers=world.bob.headers)
        assert order.status_code == 201, order.text
        pay(platform, world.bob, order.json()["id"])
    relay(platform)

    log_in(phone, live_server, world.maker_a.user.email)
    phone.goto(live_server.url + "/workshop")
    phone.get_by_role("link", name="Statement").first.click()
    figures = phone.locator("#pnl-EUR")
    expect(figures).to_contain_text("Sales captured")
    expect(figures.locator(".figure-costs")).to_contain_text("€33.50")
    expect(phone.locator("#users")).to_contain_text("transactional users")
    expect(phone.locator("#value-EUR")).to_contain_text("Shared value")
    _fits(phone)
    _keep(phone, "statement")

    figures.locator(".figure-royalties a").click()
    expect(phone.locator(".posting").first).to_contain_text("Liabilities:Royalties:")
    expect(phone.get_by_role("link", name="Download CSV")).to_be_visible()
    _fits(phone)
    _keep(phone, "statement-postings")

    phone.context.clear_cookies()
    log_in(phone, live_server, world.alice.user.email)
    phone.goto(live_server.url + "/account")
    phone.get_by_role("link", name="Your earnings").click()
    expect(phone.locator("#earnings")).to_contain_text("Shirts for tall people")
    expect(phone.locator("#earnings")).to_contain_text("3 of 6 shares")
    _fits(phone)
    _keep(phone, "earnings")
