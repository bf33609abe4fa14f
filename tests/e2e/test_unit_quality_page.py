"""Issue 17, quality and footprint on a phone: a delivered shirt's public passport says it
passed inspection, what making it drew and emitted, and what it is made of; its owner also sees
each measurement against what their configuration asked for."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from c2m.domains.traceability.models import Unit
from c2m.workers.production import ProductionLoop
from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep
from tests.factory_support import production, run_until_shipped
from tests.integration.test_quality_records import MisreadingPlant, shirt_order

REMADE = re.compile(r"Sleeve length 6\d\.\d cm, \d\.\d cm over tolerance — remaking")
FOOTPRINT = re.compile(r"[\d.,]+ k?Wh of electricity, [\d.,]+ k?g CO₂e")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_shirts_passport_shows_qc_footprint_and_materials_and_its_owner_the_measurements(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    platform = live_server.platform
    plant = MisreadingPlant(platform, world)
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        order_id = shirt_order(client, world)
    run_until_shipped(
        ProductionLoop(platform.db, plant.gateway, production(platform)), plant, [order_id]
    )
    while platform.relay.relay_once():
        pass
    with platform.db.read() as session:
        serial = session.scalars(select(Unit.serial).where(Unit.order_id == order_id)).one()

    phone.goto(f"{live_server.url}/u/{serial}")
    facts = phone.locator(".facts").first
    expect(facts.locator("[data-qc]")).to_have_text("QC passed")
    expect(facts.locator("[data-footprint]")).to_have_text(FOOTPRINT)
    expect(phone.get_by_text("Linen (flax): 96 % of its mass, from FR")).to_be_visible()
    expect(phone.get_by_text("What inspection measured")).to_have_count(0)
    _fits(phone)
    _keep(phone, "unit-quality-public")

    log_in(phone, live_server, world.alice.user.email)
    phone.goto(f"{live_server.url}/u/{serial}")
    table = phone.locator("table.measured")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.get_by_role("row", name="Sleeve length")).to_contain_text("64.0 ± 0.5 cm")
    _fits(phone)
    _keep(phone, "unit-quality-owner")

    phone.goto(f"{live_server.url}/orders/{order_id}")  # the timeline, in words
    expect(phone.get_by_text(REMADE)).to_be_visible()
    expect(phone.get_by_text("Passed inspection")).to_be_visible()
    expect(phone.get_by_text(re.compile(r"Sleeve length 6\d\.\d cm, within 64\.0"))).to_be_visible()
    _fits(phone)
    _keep(phone, "order-quality-timeline")
