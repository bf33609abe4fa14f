"""Issue 17: a scan-like visit of a unit's URL on a phone shows its public passport (what it is,
who made it where, when; nothing personal); its owner, signed in, also sees how it was
configured and can download the signed passport."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from c2m.domains.traceability.models import Unit
from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import SCREENSHOT_DIR, _fits, _keep
from tests.integration.test_units import start, started_work


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_scanned_unit_shows_its_public_passport_and_its_owner_sees_more(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    platform = live_server.platform
    work_id = started_work(platform, world, 1, {"wood": "oak", "seat_height_cm": 45})
    start(platform, work_id)
    with platform.db.read() as session:
        serial = session.scalars(select(Unit.serial).where(Unit.work_order_id == work_id)).one()

    phone.goto(f"{live_server.url}/u/{serial}")
    expect(phone.get_by_role("heading", name="Stool")).to_be_visible()
    expect(phone.locator(".facts").first).to_contain_text(serial)
    expect(phone.locator(".facts").first).to_contain_text("Alpha Works")
    expect(phone.get_by_text("Seat height cm")).to_have_count(0)  # nothing personal in public
    _fits(phone)
    _keep(phone, "unit-passport-public")

    log_in(phone, live_server, world.alice.user.email)
    phone.goto(f"{live_server.url}/u/{serial}")
    expect(phone.get_by_text("Your configuration")).to_be_visible()
    expect(phone.get_by_text("Seat height cm")).to_be_visible()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download the signed passport").click()
    assert download.value.suggested_filename == f"passport-{serial}.json"
    _fits(phone)
    _keep(phone, "unit-passport-owner")
    phone.goto(f"{live_server.url}/u/{serial}/label.svg")
    expect(phone.locator("svg text").nth(1)).to_have_text(serial)
    if SCREENSHOT_DIR:  # the viewport only: Chromium cannot take a full-page shot of an SVG
        phone.screenshot(path=str(Path(SCREENSHOT_DIR) / "unit-label-phone.png"))

    phone.goto(f"{live_server.url}/u/0000-AAAA-AAAA-01")
    expect(phone.get_by_text("No unit carries the serial")).to_be_visible()
