"""Issue 19: the catalog shows every product with its picture and one clear button, and the
owner edits a product template through a form with a live preview."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from c2m.demo.templates import REFRIGERATOR
from tests.conftest import PASSWORD, LiveServer, World
from tests.e2e.test_configurator import publish
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
