"""Issue 16 on a phone: someone applies to open a micro-enterprise, the platform owner approves
it, the new owner invites a member by link and the member joins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer, World
from tests.e2e.conftest import PHONE
from tests.e2e.test_order_page import SCREENSHOT_DIR, log_in

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 900}


def _fits(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"


def _keep(page: Page, name: str) -> None:
    """Screenshots on a phone and on a laptop, for a person to look at (C2M_E2E_SCREENSHOTS)."""
    if not SCREENSHOT_DIR:
        return
    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}-laptop.png"), full_page=True)
    page.set_viewport_size(PHONE)


def _phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_applicant_is_approved_and_invites_a_member_who_joins(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    applicant = phone
    log_in(applicant, live_server, world.alice.user.email)
    applicant.goto(live_server.url + "/account")
    applicant.get_by_role("link", name="Open a micro-enterprise").click()
    applicant.get_by_label("Name", exact=True).fill("Oak & Ash")
    applicant.get_by_label("Short name for links").fill("alpha")  # taken by Alpha Works
    applicant.get_by_label("What will you make").fill("Made-to-measure oak shelves for flats.")
    applicant.get_by_role("button", name="Send the application").click()
    expect(applicant.get_by_role("alert")).to_contain_text("taken")
    name = applicant.get_by_label("Name", exact=True)
    expect(name).to_have_value("Oak & Ash")  # nothing typed is lost
    applicant.get_by_label("Short name for links").fill("oak-and-ash")
    applicant.get_by_role("button", name="Send the application").click()
    expect(applicant.locator("#applications")).to_contain_text("Waiting for a decision")
    _fits(applicant)
    _keep(applicant, "enterprise-apply")

    owner = _phone(browser)
    log_in(owner, live_server, world.owner.user.email)
    owner.goto(live_server.url + "/workshop")
    owner.get_by_role("link", name="Micro-enterprise applications").click()
    waiting = owner.locator("#waiting .card").filter(has_text="Oak & Ash")
    expect(waiting).to_contain_text("Made-to-measure oak shelves")
    waiting.get_by_label("A word for the applicant").fill("Welcome aboard")
    _fits(owner)
    _keep(owner, "applications")
    waiting.get_by_role("button", name="Approve").click()
    expect(owner.locator("#waiting")).to_contain_text("No application is waiting")
    owner.context.close()

    applicant.reload()
    expect(applicant.locator("#applications")).to_contain_text("Approved")
    expect(applicant.locator("#applications")).to_contain_text("Welcome aboard")
    applicant.get_by_role("link", name="Open your team page").click()
    expect(applicant.get_by_role("heading", name="Oak & Ash: the team")).to_be_visible()
    applicant.get_by_label("Role").select_option("member")
    applicant.get_by_role("button", name="Create an invitation link").click()
    link = applicant.locator("#invitation-link").inner_text()
    assert "/join/" in link
    _fits(applicant)
    _keep(applicant, "team")

    member = _phone(browser)
    member.goto(live_server.url + "/join/" + link.rsplit("/", 1)[-1])
    expect(member).to_have_url(f"{live_server.url}/login?next=/join/{link.rsplit('/', 1)[-1]}")
    log_in(member, live_server, world.bob.user.email)
    member.goto(live_server.url + "/join/" + link.rsplit("/", 1)[-1])
    expect(member.get_by_role("heading", name="Join Oak & Ash")).to_be_visible()
    _fits(member)
    _keep(member, "join")
    member.get_by_role("button", name="Join Oak & Ash").click()
    expect(member.locator("#members")).to_contain_text("Bob")
    expect(member.locator("#members")).to_contain_text("Alice")
    member.context.close()

    applicant.reload()
    bob = applicant.locator("#members .member").filter(has_text="Bob")
    expect(bob).to_contain_text("member")
    expect(applicant.locator("#invitations")).to_contain_text("accepted")
