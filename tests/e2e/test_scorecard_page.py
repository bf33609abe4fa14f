"""The scorecard page on a phone and a laptop: the point chart with its quadrants, and the
figures behind each point, "not enough data" where there is too little; a tab each for
micro-enterprises, products and circles."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from c2m.domains.insights.scorecard import MIN_ORDERS
from tests.conftest import LiveServer, World
from tests.e2e.charts import SIZES, small_text
from tests.e2e.conftest import PHONE
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep
from tests.factory_support import paid_orders

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_platform_owner_reads_the_scorecard(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        paid_orders(api, world, MIN_ORDERS)  # type: ignore[arg-type]
    page = phone
    log_in(page, live_server, world.owner.user.email)
    page.goto(f"{live_server.url}/workshop")
    page.get_by_role("link", name="Scorecard").click()
    alpha = page.locator(".point-card").filter(has_text="Alpha Works")
    expect(alpha).to_contain_text("repeat purchase")
    beta = page.locator(".point-card").filter(has_text="Beta Works")
    expect(beta).to_contain_text("not enough data")
    chart = page.get_by_role("img", name="Micro-enterprises by enterprise value and user value")
    expect(chart).to_be_visible()
    for _ in range(50):  # the ledger posts the payments as the outbox relays them
        if chart.locator("circle").count():
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(chart.locator("circle")).to_have_count(1)
    expect(chart).to_contain_text("Alpha Works")
    expect(alpha).to_contain_text("none delivered")  # no one to ask yet: no score, no rate
    for size in SIZES.values():  # issue 19: the chart's text is readable on both
        page.set_viewport_size(size)
        assert small_text(chart) == []
    page.set_viewport_size(PHONE)
    _fits(page)
    _keep(page, "scorecard")

    page.get_by_role("link", name="Products").click()
    expect(page.get_by_role("link", name="Products")).to_have_attribute("aria-current", "page")
    stool = page.locator(".point-card").filter(has_text="Stool")
    expect(stool).to_contain_text("of Alpha Works")  # whose product it is
    expect(stool).to_contain_text(f"{MIN_ORDERS} paid orders")
    expect(page.locator(".point-card").filter(has_text="Lamp")).to_contain_text("not enough data")
    products = page.get_by_role("img", name="Products by enterprise value and user value")
    expect(products.locator("circle")).to_have_count(1)
    _fits(page)
    _keep(page, "scorecard-products")

    page.get_by_role("link", name="Circles").click()
    expect(page.locator("#points")).to_contain_text("No circle yet.")
    _fits(page)
