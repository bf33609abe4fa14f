"""Issue 17, the authority view on a phone: a market-surveillance authority, signed in, sees the
unit's public facts and everything else the platform holds about it (order reference,
configuration, checks, footprint) but not its owner's name; a stranger's scan shows none of it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from c2m.domains.traceability.models import Unit
from tests.conftest import LiveServer, World, add_person
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep
from tests.integration.test_units import start, started_work


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_authority_sees_the_whole_record_of_a_unit_and_a_stranger_does_not(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    platform = live_server.platform
    work_id = started_work(platform, world, 1, {"wood": "oak", "engraving": "For Ada"})
    start(platform, work_id)
    with platform.db.read() as session:
        unit = session.scalars(select(Unit).where(Unit.work_order_id == work_id)).one()
        serial, order_id = unit.serial, unit.order_id
    inspector = add_person(platform, "inspector", is_authority=True)

    phone.goto(f"{live_server.url}/u/{serial}")
    expect(phone.get_by_role("heading", name="Stool")).to_be_visible()
    expect(phone.get_by_text("For market surveillance")).to_have_count(0)
    expect(phone.get_by_text("For Ada")).to_have_count(0)
    _fits(phone)
    _keep(phone, "unit-passport-public-scan")

    log_in(phone, live_server, inspector.user.email)
    phone.goto(f"{live_server.url}/u/{serial}")
    section = phone.locator("section.authority")
    expect(section.get_by_role("heading", name="For market surveillance")).to_be_visible()
    expect(section).to_contain_text(order_id)
    expect(section).to_contain_text("For Ada")
    expect(section).to_contain_text("Alpha Works")
    expect(phone.get_by_text(world.alice.user.name, exact=True)).to_have_count(0)
    with phone.expect_download() as download:
        section.get_by_role("link", name="Download the signed passport").click()
    assert download.value.suggested_filename == f"passport-{serial}.json"
    _fits(phone)
    _keep(phone, "unit-passport-authority")
