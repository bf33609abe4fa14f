"""The team's stores page (issue 18): a maker sees the steel paid work holds and what to buy,
places the suggested purchase, books its arrival and takes in a delivery, on a phone and on a
laptop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import fits, keep, log_in, paid_fridge_with_steel
from tests.integration.test_materials import STEEL_KEY


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_maker_keeps_the_stores_from_the_page(
    live_server: LiveServer, world: World, screen: Page, tmp_path: Path
) -> None:
    page = screen
    paid_fridge_with_steel(live_server, world, 6, "coil-7")

    log_in(page, live_server, world.maker_a.user.email)
    page.goto(f"{live_server.url}/workshop")
    page.get_by_role("link", name="Stores").click()
    card = page.locator(f'[id="material-{STEEL_KEY}"]')
    expect(card).to_contain_text("Sheet steel 0.8 mm")
    expect(card).to_contain_text(re.compile(r"On hand\s*6 m²"))
    expect(card).to_contain_text("Buy 50 m² now")
    fits(page)
    keep(page, live_server, tmp_path, "stores")

    card.get_by_role("button", name="Place this purchase").click()
    coming = page.locator("#coming")
    expect(coming).to_contain_text("50 m² Sheet steel 0.8 mm")
    expect(card).not_to_contain_text("Buy 50 m² now")
    coming.get_by_role("button", name="It has arrived").click()
    expect(card).to_contain_text(re.compile(r"On hand\s*56 m²"))

    form = page.locator("#take-in")
    form.get_by_label("Quantity").fill("12.5")
    form.get_by_label("Lot or delivery number").fill("coil-8")
    form.get_by_role("button", name="Take it in").click()
    expect(card).to_contain_text(re.compile(r"On hand\s*68[.]5 m²"))
    form.get_by_label("Quantity").fill("1")
    form.get_by_label("Lot or delivery number").fill("coil-8")
    form.get_by_role("button", name="Take it in").click()
    expect(page.locator("main")).to_contain_text("is already in this factory")
    keep(page, live_server, tmp_path, "stores-lot-taken")
