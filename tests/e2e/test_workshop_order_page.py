"""Issue 19 on a phone: a workshop member opens an order from the workshop's list, sees who
the customer is and what they ordered, and moves it along from the order's own page."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer, World, place
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_member_opens_an_order_and_moves_it_from_its_page(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        order_id = place(api, world.alice, world.product_a).json()["id"]  # type: ignore[arg-type]
        paid = api.post(
            f"/api/v1/orders/{order_id}/pay",
            json={"payment_method": "test-ok"},
            headers=world.alice.headers,
        )
        assert paid.status_code == 200, paid.text
    log_in(phone, live_server, world.maker_a.user.email)
    phone.goto(live_server.url + "/workshop")
    phone.locator(f'a[href="/orders/{order_id}"]').click()
    expect(phone).to_have_url(re.compile(f"/orders/{order_id}$"))
    desk = phone.locator("#for-the-workshop")
    expect(desk).to_contain_text(world.alice.user.name)
    expect(desk).to_contain_text(world.alice.user.email)
    _fits(phone)
    _keep(phone, "workshop-order")
    desk.get_by_role("button", name="Design being finalised").click()
    expect(phone).to_have_url(re.compile(f"/orders/{order_id}$"))
    expect(phone.locator("#for-the-workshop")).to_contain_text("Planned in the factory")
    expect(phone.locator("main")).to_contain_text("Design being finalised")
