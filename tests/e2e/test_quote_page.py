"""Issue 6, acceptance 5: on a phone, upload two parts, see their pictures, change the quantity,
accept the quote into an order; and the micro-enterprise answers a request for quote."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from c2m.domains.factory.models import Machine
from c2m.domains.factory.vocabulary import MachineState
from tests.api.quoting_support import box_stl, open_shop
from tests.conftest import LiveServer, World
from tests.e2e.charts import SIZES, keep
from tests.e2e.test_order_page import log_in

pytestmark = pytest.mark.browser
BY = "\N{MULTIPLICATION SIGN}"


def choose_parts(page: Page, files: list[tuple[str, tuple[float, float, float]]]) -> None:
    """Choose STL boxes once quote.js listens: a choice made before its script ran is lost."""
    page.wait_for_load_state()
    page.locator("#files").set_input_files(
        [{"name": name, "mimeType": "model/stl", "buffer": box_stl(size)} for name, size in files]
    )


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

    choose_parts(page, [("cube.stl", (20, 20, 20)), ("bar.stl", (60, 10, 5))])
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
    choose_parts(page, [("bracket.stl", (30, 30, 3))])
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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_part_no_connected_machine_can_make_is_priced_without_a_date(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    platform = live_server.platform
    open_shop(platform, world.enterprise_a)
    with platform.db.write() as session:
        for machine in session.scalars(select(Machine)):
            machine.state = MachineState.OFFLINE
    page = phone
    log_in(page, live_server, world.alice.user.email)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Get a Quote from Alpha Works").click()
    choose_parts(page, [("cube.stl", (20, 20, 20))])
    card = page.locator(".part")
    expect(card.locator(".quote .price")).to_contain_text("for 1", timeout=30_000)
    expect(card.locator(".quote .notice")).to_contain_text(
        "No machine that can make this part is connected right now"
    )
    expect(card.locator(".tiers")).to_have_count(0)
    expect(page.locator("#checkout")).to_be_hidden()
    for size in SIZES.values():
        page.set_viewport_size(size)
        keep(page, "quote-no-machine")
