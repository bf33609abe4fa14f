"""Issue 6, acceptance 5: on a phone, upload two parts, see their pictures, change the quantity,
accept the quote into an order; and the micro-enterprise answers a request for quote."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.quoting_support import box_stl, open_shop
from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in

pytestmark = pytest.mark.browser
BY = "\N{MULTIPLICATION SIGN}"


def cents(text: str) -> int:
    return round(float(re.sub(r"[^\d.]", "", text.split(" ")[0])) * 100)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_upload_two_parts_change_quantity_and_order_on_a_phone(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    open_shop(live_server.platform, world.enterprise_a)
    page = phone
    log_in(page, live_server, world.alice.user.email)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Get a Quote from Alpha Works").click()
    expect(page.get_by_role("heading", name="Get a Quote")).to_be_visible()

    page.locator("#files").set_input_files(
        [
            {"name": "cube.stl", "mimeType": "model/stl", "buffer": box_stl((20, 20, 20))},
            {"name": "bar.stl", "mimeType": "model/stl", "buffer": box_stl((60, 10, 5))},
        ]
    )
    cards = page.locator(".part")
    expect(cards).to_have_count(2, timeout=30_000)  # a process's first upload starts the sandbox
    for index in range(2):
        picture = cards.nth(index).locator("img.thumb")
        expect(picture).to_be_visible()
        drawn = "img => img.complete && img.naturalWidth > 0"
        page.wait_for_function(drawn, arg=picture.element_handle(), timeout=20_000)
        assert picture.evaluate("img => img.naturalWidth") == 256
    expect(cards.nth(0)).to_contain_text(f"20.0 {BY} 20.0 {BY} 20.0 mm")
    expect(cards.nth(1)).to_contain_text(f"60.0 {BY} 10.0 {BY} 5.0 mm")
    price = cards.nth(0).locator(".quote .price")
    expect(price).to_contain_text("for 1")
    single = cents(price.inner_text())

    cards.nth(0).get_by_label("Quantity").fill("25")
    expect(price).to_contain_text("for 25")
    assert cents(price.inner_text()) < single  # the unit price falls with quantity
    expect(cards.nth(0).locator(".tiers li")).to_have_count(3)

    page.get_by_label("Delivery").select_option("express")
    page.get_by_role("button", name="Order these parts").click()
    page.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}$"))
    expect(page.locator("body")).to_contain_text(f"25 {BY} Custom part")
    assert page.viewport_size == {"width": 390, "height": 844}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_request_for_quote_is_answered_from_the_inbox(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    open_shop(live_server.platform, world.enterprise_a)
    page = phone
    log_in(page, live_server, world.alice.user.email)
    page.goto(f"{live_server.url}/quote/{world.enterprise_a.slug}")
    page.locator("#files").set_input_files(
        [{"name": "bracket.stl", "mimeType": "model/stl", "buffer": box_stl((30, 30, 3))}]
    )
    expect(page.locator(".part")).to_have_count(1)
    page.get_by_label("Message").fill("Anodised black, 200 pieces please.")
    page.get_by_role("button", name="Send request for quote").click()
    expect(page.locator("#status")).to_contain_text("Sent")

    page.context.clear_cookies()
    log_in(page, live_server, world.maker_a.user.email)
    page.goto(f"{live_server.url}/workshop")
    page.get_by_role("link", name="Requests for quote").click()
    inbox = page.locator(".card").first
    expect(inbox).to_contain_text("Anodised black, 200 pieces please.")
    expect(inbox.get_by_role("link", name="bracket.stl")).to_be_visible()
    inbox.get_by_label("Answer").fill("Yes: EUR 4.20 each, three weeks.")
    inbox.get_by_label("Price of the whole request, EUR (optional)").fill("840")
    inbox.get_by_role("button", name="Send answer").click()
    expect(page.locator(".notice").first).to_contain_text("Answer sent")
    expect(page.locator(".card").first).to_contain_text("€840.00")
