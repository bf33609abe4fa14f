"""Issue 15 on a phone: a maker sees a job offered on the dashboard, declines it with a reason,
the next maker accepts it, and the platform owner reads every maker's reason on /network."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.test_maker_offers import job
from tests.api.test_makers import JOIN, PRINTER
from tests.conftest import LiveServer, Person, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep, _phone

pytestmark = pytest.mark.browser


def _maker(api: httpx.Client, person: Person, name: str, rate: int, colour: str) -> None:
    joined = api.post("/api/v1/makers", json=JOIN | {"display_name": name}, headers=person.headers)
    assert joined.status_code == 201, joined.text
    printer = PRINTER | {"hourly_rate": rate, "colour": colour, "calendar": None}
    added = api.post("/api/v1/makers/me/machines", json=printer, headers=person.headers)
    assert added.status_code == 201, added.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_maker_declines_the_next_accepts_and_the_owner_reads_why(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as api:  # a loaded CI machine
        _maker(api, world.alice, "Alice Prints", 100, "black")
        _maker(api, world.bob, "Bob Prints", 300, "black")
        _maker(api, world.maker_b, "White Only", 50, "white")
        routed = api.post("/api/v1/routed-jobs", json=job(), headers=world.owner.headers)
        assert routed.status_code == 201, routed.text

    log_in(phone, live_server, world.alice.user.email)
    phone.goto(live_server.url + "/maker#offers")
    offer = phone.locator("#offers .offer")
    expect(offer).to_contain_text("Cable clip, 4 pcs")
    expect(offer).to_contain_text("€3.44")
    expect(offer).to_contain_text("Answer by")
    _fits(phone)
    _keep(phone, "maker-offers")
    offer.get_by_text("Decline", exact=True).click()
    offer.get_by_label("Why?").fill("Printer booked all week")
    offer.get_by_role("button", name="Decline the offer").click()
    expect(phone.locator("#offers .offer")).to_contain_text("declined")
    expect(phone.locator("#offers .offer")).to_contain_text("Printer booked all week")

    bob = _phone(browser)
    log_in(bob, live_server, world.bob.user.email)
    bob.goto(live_server.url + "/maker#offers")
    bobs = bob.locator("#offers .offer")
    expect(bobs).to_contain_text("€7.44")
    bobs.get_by_role("button", name="Accept").click()
    expect(bob.locator("#offers .offer")).to_contain_text("accepted")
    bob.context.close()

    owner = _phone(browser)
    log_in(owner, live_server, world.owner.user.email)
    owner.goto(live_server.url + "/network")
    entry = owner.locator("#routed-jobs .routed-job")
    expect(entry).to_contain_text("accepted")
    reasons = entry.locator(".reasons li")
    expect(reasons.nth(0)).to_contain_text("Alice Prints")
    expect(reasons.nth(0)).to_contain_text("declined: Printer booked all week")
    expect(reasons.nth(1)).to_contain_text("Bob Prints")
    expect(reasons.nth(2)).to_contain_text("white loaded, not black")
    _fits(owner)
    _keep(owner, "network-routed-jobs")
    owner.context.close()
