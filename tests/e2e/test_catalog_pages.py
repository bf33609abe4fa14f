"""Issue 19: the catalog shows every product with its picture and one clear button, and the
owner edits a product template through a form with a live preview."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from c2m.demo.templates import REFRIGERATOR
from tests.conftest import PASSWORD, LiveServer, World
from tests.e2e.test_configurator import publish
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_visitor_sees_pictures_and_designs_or_orders(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    template_id = publish(live_server, world, REFRIGERATOR)
    page = phone
    page.goto(live_server.url + "/")
    fridge = page.locator(".product-card", has_text="Customizable refrigerator")
    stool = page.locator(".product-card", has_text="Stool")
    # The configurable product is drawn in its default configuration, the other as a parcel.
    expect(fridge.get_by_role("img", name="Your refrigerator")).to_be_visible()
    expect(stool.get_by_role("img", name="Stool, made to order")).to_be_visible()
    expect(fridge).to_contain_text("from €")
    _fits(page)
    _keep(page, "catalog")
    page.set_viewport_size({"width": 320, "height": 700})
    _fits(page)
    page.set_viewport_size({"width": 390, "height": 844})

    fridge.get_by_role("link", name="Design yours").click()
    expect(page).to_have_url(f"{live_server.url}/configure/{template_id}")
    expect(page.get_by_role("heading", name="Customizable refrigerator")).to_be_visible()

    page.go_back()
    stool.get_by_role("link", name="Order").click()
    expect(page.get_by_role("heading", name="Stool")).to_be_visible()
    expect(page.get_by_role("img", name="Stool, made to order")).to_be_visible()
    _fits(page)
    _keep(page, "product")
    page.get_by_role("link", name="Log in to order").click()
    page.get_by_label("E-mail").fill(world.alice.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/products/{world.product_a.id}#order$"))
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/"))
    expect(page.get_by_text("Stool").first).to_be_visible()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_owner_edits_a_template_through_the_form_with_a_live_preview(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    template_id = publish(live_server, world, REFRIGERATOR)
    page = phone
    log_in(page, live_server, world.maker_a.user.email)
    page.goto(f"{live_server.url}/workshop/enterprises/{world.enterprise_a.id}/templates/new")
    # The starter's defaults: 900 + 10 * 80 mm + 40 * len("Hello") cents.
    expect(page.locator("#preview-price")).to_have_text("€19.00 each")
    _fits(page)
    _keep(page, "template-new")
    page.goto(f"{live_server.url}/workshop/templates/{template_id}")
    price = page.locator("#preview-price")
    expect(price).to_have_text("€649.00 each")
    expect(page.locator("#preview-picture svg")).to_be_visible()
    expect(page.locator("#template-json")).not_to_have_attribute("open", "")  # for experts

    base = page.locator('[data-section="prices"] .row').first
    amount = base.get_by_label("Amount in cents (a number or formula)")
    amount.fill("59900")
    expect(price).to_have_text("€749.00 each")
    expect(page.locator("#preview-lines")).to_contain_text("Refrigerator body: €599.00")

    # A new option: what is missing is said beside its field, in words.
    page.get_by_role("button", name="Add an option").click()
    gift = page.locator('[data-section="options"] .row').last
    expect(gift.locator('[data-error-for$=".name"]')).to_have_text(
        "Name in formulas cannot be empty."
    )
    gift.get_by_label("Label the customer reads").fill("Gift box")
    gift.get_by_label("Name in formulas").fill("gift_box")
    gift.get_by_label("Choices, one a line").fill("plain\nribbon")
    expect(page.locator("#preview-options")).to_contain_text("Gift box")
    expect(gift.locator(".field-error:visible")).to_have_count(0)
    _fits(page)
    _keep(page, "template-editor")

    # A broken formula is refused on saving too, and the page says where.
    amount.fill("59900 + oops")
    expect(base.locator(".field-error:visible")).to_contain_text("oops")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text("cannot be used")
    expect(page.locator("#preview-status")).to_contain_text("Price line 1: ")
    expect(page.get_by_role("link", name="Open it in the configurator")).to_be_visible()
    base = page.locator('[data-section="prices"] .row').first
    expect(base.locator(".field-error:visible")).to_contain_text("oops")
    _keep(page, "template-editor-refused")
    base.get_by_label("Amount in cents (a number or formula)").fill("59900")
    expect(price).to_have_text("€749.00 each")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()

    page.get_by_role("link", name="Open it in the configurator").click()
    expect(page.locator("#price")).to_have_text("€749.00")
    expect(page.locator('.chip[data-option="gift_box"]').first).to_be_visible()
