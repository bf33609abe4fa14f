"""Issue 16 on a phone: a customer rates a delivered order and orders the same again."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.test_after_delivery import delivered
from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep, _phone

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_customer_rates_a_delivered_order_and_orders_it_again(
    live_server: LiveServer, world: World, phone: Page, browser: Browser
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        (order_id,) = delivered(api, world)  # type: ignore[arg-type]
    page = phone
    log_in(page, live_server, world.alice.user.email)
    page.goto(f"{live_server.url}/orders/{order_id}")
    question = page.get_by_role("group", name="How likely are you to recommend Alpha Works")
    expect(question).to_be_visible()
    question.get_by_role("radio", name="9", exact=True).check()
    page.get_by_label("What made you give that score?").fill("Sturdy, and it came early")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_contain_text(
        "you gave Alpha Works 9 out of 10"
    )
    expect(page.get_by_role("button", name="Change my answer")).to_be_visible()
    _fits(page)
    _keep(page, "after-delivery")

    page.get_by_role("button", name="Order the same again").click()
    page.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}$"))
    assert order_id not in page.url
    expect(page.get_by_role("heading", name="Pay")).to_be_visible()
    expect(page.locator("#feedback")).to_be_hidden()  # a new order is not delivered yet

    maker = _phone(browser)
    log_in(maker, live_server, world.maker_a.user.email)
    maker.goto(f"{live_server.url}/workshop")
    voices = maker.locator(".voices").first
    expect(voices).to_contain_text("Sturdy, and it came early")
    expect(voices).to_contain_text("not enough data")  # one answer is no score
    _fits(maker)
    _keep(maker, "workshop-voices")
