"""The site as an app on a phone: installable (manifest, icons, a service worker for the whole
site), an offline page when the signal goes, and "Notify me on this phone": a real Chromium
subscribes to an order and the order's next step arrives as an encrypted Web Push.

Headless Chromium reaches no real push service, so the page's ``PushManager.subscribe`` is
replaced (before any script runs) by a stand-in that does what a browser does: a fresh P-256
key pair and a 16-byte auth secret from WebCrypto, and an endpoint, here a local HTTP server
that plays the push service. The private key stays on ``window`` for the test to decrypt with.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import LiveServer, World, place
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _keep
from tests.push_support import PhoneKeys, check_vapid, loopback_platform, start_step
from tests.webhook_receiver import Receiver, running, wait_until

pytestmark = pytest.mark.browser

PUSH_STAND_IN = """
(() => {
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  PushManager.prototype.getSubscription = async function () { return null; };
  PushManager.prototype.subscribe = async function (options) {
    const pair = await crypto.subtle.generateKey(
      { name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const keys = {
      p256dh: b64url(await crypto.subtle.exportKey("raw", pair.publicKey)),
      auth: b64url(crypto.getRandomValues(new Uint8Array(16))),
    };
    window.__phone = {
      privateJwk: await crypto.subtle.exportKey("jwk", pair.privateKey),
      auth: keys.auth,
      serverKey: b64url(options.applicationServerKey),
    };
    const endpoint = "ENDPOINT";
    return { endpoint, toJSON: () => ({ endpoint, expirationTime: null, keys }) };
  };
})();
"""


platform = pytest.fixture(loopback_platform)


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


def test_a_phone_subscribed_to_an_order_hears_of_its_next_step(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    page = phone
    with running(Receiver(then=201)) as push_service:
        _context(page).grant_permissions(["notifications"], origin=live_server.url)
        page.add_init_script(PUSH_STAND_IN.replace("ENDPOINT", push_service.url))
        log_in(page, live_server, world.alice.user.email)
        with httpx.Client(base_url=live_server.url, timeout=10) as api:
            placed = place(api, world.alice, world.product_a)
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["id"]

        page.goto(f"{live_server.url}/orders/{order_id}")
        button = page.get_by_role("button", name="Notify me on this phone")
        _keep(page, "order-notify")
        button.click()
        expect(page.locator("#notify-status")).to_have_text(
            re.compile("this phone will tell you when your order moves on")
        )
        expect(button).to_be_hidden()
        phone_keys = page.evaluate("window.__phone")
        server_key = page.locator("#notify").get_attribute("data-key")
        assert phone_keys["serverKey"] == server_key

        start_step(live_server.platform, order_id, "Cut panels", "cut")

        wait_until(lambda: bool(push_service.accepted), "the push service got the news")
        received = push_service.accepted[0]
        vapid = check_vapid(received, push_service.url)
        assert vapid["k"] == server_key
        news = PhoneKeys.of_jwk(phone_keys["privateJwk"], phone_keys["auth"]).read(received)
        assert news == {
            "title": "Your Stool",
            "body": "Cutting panels started",
            "url": f"/orders/{order_id}",
        }
        assert b"Cutting" not in received.body  # encrypted, not plain
