"""The site as an app on a phone: installable (manifest, icons, a service worker for the whole
site) and an offline page when the signal goes."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _keep

pytestmark = pytest.mark.browser


def _context(page: Page) -> BrowserContext:
    return page.context


def test_the_site_installs_as_an_app_and_shows_an_offline_page(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    page = phone
    log_in(page, live_server, world.alice.user.email)
    link = page.locator("link[rel=manifest]")
    manifest = httpx.get(live_server.url + (link.get_attribute("href") or "")).json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/orders"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    for icon in manifest["icons"]:
        assert httpx.get(live_server.url + icon["src"]).status_code == 200

    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == live_server.url + "/"
    page.wait_for_function(
        "caches.open('c2m-shell-v1').then((c) => c.match('/offline')).then(Boolean)"
    )

    _context(page).set_offline(True)
    try:
        page.goto(f"{live_server.url}/orders")
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
        expect(page.get_by_text("Your order page will update when you are back")).to_be_visible()
        # The kept CSS styles it: the card has its background, not the browser's default.
        background = page.locator(".card").evaluate("e => getComputedStyle(e).backgroundColor")
        assert background == "rgb(255, 255, 255)"
        _keep(page, "offline")
    finally:
        _context(page).set_offline(False)
