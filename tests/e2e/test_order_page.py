"""A customer on a phone: log in, order, pay, and watch the factory's next step arrive live;
and the order page through payment and production at a phone's and a laptop's size.

Runs on both databases (through ``live_server`` -> ``database_url``): the live timeline is fed by
the outbox relay and the stream's polling, which differ between SQLite and PostgreSQL, and that
path is exactly what this test is about. It costs a few seconds per database.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from c2m.demo.factory import demo_factory
from c2m.domains.factory.models import Factory
from c2m.domains.factory.service import register_plant
from c2m.domains.materials import service as materials
from c2m.domains.orders import events
from c2m.domains.orders.models import Order
from c2m.domains.orders.service import note
from c2m.domains.planning.work_orders import open_work_orders
from c2m.kernel.clock import utcnow
from c2m.workers.production import ProductionLoop
from tests.api.test_order_page import fridge_order, planned_finish_of, run_late
from tests.conftest import PASSWORD, LiveServer, World, pay_for
from tests.factory_support import Plant, production, run_until, run_until_shipped, timeline
from tests.integration.test_materials import STEEL, STEEL_KEY

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
    step = page.locator("#steps .step", has_text="Cutting panels")
    expect(step.locator(".step-state")).to_have_text("In progress", timeout=10_000)
    expect(page.locator("#timeline li")).to_have_count(3)  # a step is not a history entry
    expect(page.locator("#steps .machines")).to_contain_text("laser-2")
    expect(page.get_by_text("laser-2")).not_to_be_visible()  # under "Details", closed

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


def keep(page: Page, server: LiveServer, tmp_path: Path, name: str) -> None:
    """A full-page screenshot, kept under ``C2M_E2E_SCREENSHOTS`` when set."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    shot = tmp_path / f"order-{name}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        dialect = server.platform.db.engine.dialect.name
        shutil.copy(shot, Path(SCREENSHOT_DIR) / f"{shot.stem}-{dialect}.png")


def fits(page: Page) -> None:
    """Nothing wider than the screen, and no title squeezed to a word per line."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    squeezed = page.evaluate(
        """[...document.querySelectorAll('#timeline strong, .step-title')].filter(el => {
             const line = parseFloat(getComputedStyle(el).lineHeight) || 24;
             return el.getBoundingClientRect().height > 2.5 * line;
           }).map(el => el.textContent)"""
    )
    assert squeezed == [], f"titles squeezed onto several lines: {squeezed}"


def steps_shown(page: Page) -> dict[str, str]:
    rows = page.locator("#steps .step")
    return {
        rows.nth(i).locator(".step-title").inner_text(): rows.nth(i)
        .locator(".step-state")
        .inner_text()
        for i in range(rows.count())
    }


def test_the_order_page_through_payment_and_production(
    live_server: LiveServer, world: World, screen: Page, tmp_path: Path
) -> None:
    """What a customer sees of a configured refrigerator: its drawing and options in words, a
    declined card as an error, a payment waiting for the bank, then each factory step turning
    from waiting to running to done, live, until it ships."""
    page, platform = screen, live_server.platform
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        order_id = fridge_order(http, world)["id"]  # type: ignore[arg-type]
    log_in(page, live_server, world.alice.user.email)
    page.goto(f"{live_server.url}/orders/{order_id}")
    expect(page.locator(".product-picture svg")).to_be_visible()
    panel = page.locator(".choices div", has_text="Panel material")
    expect(panel).to_have_text("Panel materialSteel")
    expect(page.locator("#dates")).to_contain_text("Ships within 13 days of your payment")
    fits(page)
    keep(page, live_server, tmp_path, "placed")

    page.get_by_label("Test card").select_option("test-decline")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your bank declined the card.")
    expect(alert).to_contain_text("pay with another card")
    assert alert.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 235, 233)"
    keep(page, live_server, tmp_path, "declined")

    settle, held = platform.payments.deliver_later, []
    platform.payments.deliver_later = held.extend  # the bank answers when this test says so
    page.get_by_label("Test card").select_option("test-delayed")
    page.get_by_role("button", name=re.compile(r"^Try again: pay ")).click()
    waiting = page.get_by_role("button", name="Waiting for your bank…")
    expect(waiting).to_be_disabled()
    keep(page, live_server, tmp_path, "pending")
    assert settle is not None
    settle(held)
    expect(page.locator("#state-label")).to_have_text("Paid", timeout=15_000)  # reloaded itself
    expect(page.locator("#dates")).to_contain_text("Promised to ship by")

    page.evaluate("window.__sameDocument = true")
    plant = Plant(platform, world)
    loop = ProductionLoop(platform.db, plant.gateway, production(platform))

    def running() -> bool:
        kinds = [e.type for e in timeline(platform, order_id)]
        return kinds.count("operation_started") > kinds.count("operation_done")

    run_until(loop, plant, running, "no step started")
    expect(page.locator("#steps [data-state='running']")).to_have_count(1)
    expect(page.locator("#steps [data-state='waiting']").first).to_be_visible()
    fits(page)
    keep(page, live_server, tmp_path, "making")

    run_until_shipped(loop, plant, [order_id])
    expect(page.locator("#state-label")).to_have_text("Shipped")
    expect(page.locator("#dates")).to_contain_text("Shipped on")
    expect(page.locator("#steps [data-state='done']")).to_have_count(7)
    assert steps_shown(page)["Cutting panels"] == "Done"
    assert progress(page) == 90
    assert page.evaluate("window.__sameDocument") is True
    fits(page)
    keep(page, live_server, tmp_path, "shipped")

    page.set_viewport_size({"width": 320, "height": 700})  # the smallest phones still in use
    fits(page)
    keep(page, live_server, tmp_path, "shipped")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_order_running_late_says_why_and_until_when(
    live_server: LiveServer, world: World, screen: Page, tmp_path: Path
) -> None:
    page, platform = screen, live_server.platform
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        order = fridge_order(http, world)  # type: ignore[arg-type]
        pay_for(http, world.alice, order)
    plant = Plant(platform, world)
    loop = ProductionLoop(platform.db, plant.gateway, production(platform))
    order_id = str(order["id"])
    run_until(loop, plant, lambda: planned_finish_of(platform, order_id), "never planned")
    later = run_late(platform, order_id)
    log_in(page, live_server, world.alice.user.email)
    page.goto(f"{live_server.url}/orders/{order_id}")
    notice = page.locator("#running-late")
    expect(notice).to_contain_text("Running late: machine cutter-1 broke down")
    expect(notice).to_contain_text(later.strftime("%A %-d %B"))
    fits(page)
    keep(page, live_server, tmp_path, "late")


def paid_fridge_with_steel(
    server: LiveServer, world: World, steel_m2: int, code: str, arriving: datetime | None = None
) -> dict[str, object]:
    """Alpha Works runs the demo plant and stocks sheet steel (a lot on hand, or on its way
    until ``arriving``); Alice's fridge is ordered, paid, and its work opened."""
    platform = server.platform
    with platform.db.write() as session:
        register_plant(session, world.enterprise_a.id, demo_factory())
        factory = session.scalars(select(Factory.id)).one()
        steel = materials.define(session, world.enterprise_a.id, STEEL_KEY, STEEL)
        materials.receive(session, steel, factory, Decimal(steel_m2), code, utcnow(), arriving)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        order: dict[str, object] = fridge_order(http, world)  # type: ignore[arg-type]
        pay_for(http, world.alice, order)
    with platform.db.write() as session:
        open_work_orders(session)
    return order


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_order_waiting_for_material_says_which_and_until_when(
    live_server: LiveServer, world: World, screen: Page, tmp_path: Path
) -> None:
    """Issue 18: a shortage shows on the order page in words."""
    page = screen
    docks = utcnow() + timedelta(days=3)
    order = paid_fridge_with_steel(live_server, world, 40, "po-118", docks)
    log_in(page, live_server, world.alice.user.email)
    page.goto(f"{live_server.url}/orders/{order['id']}")
    notice = page.locator("#waiting-for-material")
    expect(notice).to_contain_text("Waiting for material: Sheet steel 0.8 mm is on its way")
    expect(notice).to_contain_text(docks.strftime("%A %-d %B"))
    fits(page)
    keep(page, live_server, tmp_path, "waiting-for-material")
