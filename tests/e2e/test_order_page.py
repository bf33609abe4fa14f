"""A customer on a phone: log in, order, pay, and watch the factory's next step arrive live.

Runs on both databases (through ``live_server`` -> ``database_url``): the live timeline is fed by
the outbox relay and the stream's polling, which differ between SQLite and PostgreSQL, and that
path is exactly what this test is about. It costs a few seconds per database.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from c2m.domains.orders import events
from c2m.domains.orders.models import Order
from c2m.domains.orders.service import note
from tests.conftest import PASSWORD, LiveServer, World

pytestmark = pytest.mark.browser

# Set to a directory to keep the phone screenshot (CI artefact, or a person checking the look).
SCREENSHOT_DIR = os.environ.get("C2M_E2E_SCREENSHOTS")


def log_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator(".error").all_inner_texts()


def progress(page: Page) -> int:
    return int(page.locator("#progress").get_attribute("aria-valuenow") or "0")


def test_order_pay_and_follow_live_on_a_phone(
    live_server: LiveServer, world: World, phone: Page, tmp_path: Path
) -> None:
    """The new timeline entry and the progress appear without a reload, pushed by the server.

    ``phone`` comes after ``live_server`` so the page (and its open stream) closes first and the
    server stops at once instead of waiting for the stream.
    """
    page = phone
    log_in(page, live_server, world.alice.user.email)

    page.goto(f"{live_server.url}/products/{world.product_a.id}")
    expect(page.get_by_role("heading", name="Stool")).to_be_visible()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f]+$"))
    order_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#state-label")).to_have_text("Order placed")

    page.get_by_label("Test card").select_option("test-ok")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.locator("#state-label")).to_have_text("Paid")
    expect(page.locator("#timeline li")).to_have_count(2)
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_be_hidden()
    expect(page.locator("#live-status")).to_have_text("Live")  # the EventSource is open
    paid_progress = progress(page)
    last_seq = int(page.locator("#timeline li").last.get_attribute("data-seq") or "0")

    # Anything that survives until the end proves the page was never reloaded.
    page.evaluate("window.__sameDocument = true")
    moved = httpx.post(
        f"{live_server.url}/api/v1/orders/{order_id}/advance",
        json={"to": "designing"},
        headers=world.maker_a.headers,
        timeout=10,
    )
    assert moved.status_code == 200, moved.text

    entry = page.locator(f"#timeline li[data-seq='{last_seq + 1}']")
    expect(entry).to_be_visible(timeout=10_000)
    expect(entry).to_contain_text("Design being finalised")
    expect(entry).to_have_class(re.compile(r"\bnew\b"))  # added by timeline.js, not rendered
    expect(page.locator("#state-label")).to_have_text("Design being finalised")
    expect(page.locator("#progress")).not_to_have_attribute("aria-valuenow", str(paid_progress))
    assert progress(page) > paid_progress
    assert page.evaluate("window.__sameDocument") is True

    # A machine step, as the factory records it, shows which step and which machine, live.
    with live_server.platform.db.write() as session:
        order = session.get(Order, order_id)
        assert order is not None
        data = {"operation": "Cut panels", "machine": "laser-2", "step": "cut"}
        started = events.step(events.OrderEventType.OPERATION_STARTED, data)
        note(session, order, started, actor="factory")
    step = page.locator("#timeline li").last
    expect(step).to_contain_text("Step started", timeout=10_000)
    expect(step.locator(".detail")).to_have_text("Cut panels on laser-2")

    # The page fits a phone: nothing wider than the screen, so no sideways scrolling.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"

    shot = tmp_path / "order-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        shutil.copy(
            shot,
            Path(SCREENSHOT_DIR) / f"order-page-{live_server.platform.db.engine.dialect.name}.png",
        )
