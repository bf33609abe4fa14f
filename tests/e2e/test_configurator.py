"""Issue 3, acceptance 4: design a refrigerator on a phone, share it, order it as another user;
issue 19: the page says what a choice changed, explains in words, and prices as you type.

SQLite only: the page talks to the same API that tests/api/test_templates.py checks on both
databases; what this test adds is the browser (the JS, the disabled values, the share link).
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from c2m.demo.factory import demo_factory
from c2m.demo.templates import REFRIGERATOR, SHIRT
from c2m.domains.factory.models import Machine
from c2m.domains.factory.service import register_plant
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.materials import service as materials
from c2m.domains.materials.schemas import MaterialIn
from c2m.engines.configurator.model import Template
from tests.conftest import PASSWORD, LiveServer, World, publish_template
from tests.e2e.conftest import PHONE
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep
from tests.factory_support import load_machines

pytestmark = pytest.mark.browser


def publish(server: LiveServer, world: World, template: Template) -> str:
    """The maker of enterprise A publishes a demo template; returns its id."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        return publish_template(client, world, template)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_design_share_and_order_a_refrigerator_on_a_phone(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    template_id = publish(live_server, world, REFRIGERATOR)

    page = phone
    log_in(page, live_server, world.alice.user.email)
    page.goto(f"{live_server.url}/configure/{template_id}")
    expect(page.get_by_role("heading", name="Customizable refrigerator")).to_be_visible()
    price = page.locator("#price")
    expect(price).to_have_text("€649.00")
    expect(page.locator("#picture svg")).to_be_visible()

    page.locator('.chip[data-option="doors"][data-value="1"]').click()
    ice = page.locator('.chip[data-option="ice_maker"][data-value="true"]')
    expect(ice).to_have_attribute("aria-disabled", "true")
    ice.tap(force=True)  # aria-disabled, not disabled: a tap still reaches it and explains
    expect(page.locator("#reason")).to_contain_text("An ice maker sits in the freezer door")
    expect(page.locator("#reason")).not_to_contain_text("ice-maker-needs-freezer-door")
    expect(ice).to_have_attribute("aria-pressed", "false")

    page.locator('.chip[data-option="panel"][data-value=\'"glass"\']').click()
    expect(price).to_have_text("€799.00")  # glass panels add €150
    red = page.locator('.chip[data-option="colour"][data-value=\'"red"\']')
    expect(red).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#lead-time")).to_contain_text("Ships within 14 days of payment")

    page.get_by_label("Name of your design").fill("Glass kitchen fridge")
    page.get_by_role("button", name="Save design").click()
    expect(page.locator("#status")).to_contain_text("Glass kitchen fridge")
    page.get_by_role("button", name="Share link").click()
    link = page.locator("#share-url a")
    expect(link).to_have_text(re.compile(r"/d/"))
    token = link.inner_text().rsplit("/d/", 1)[1]
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"

    other = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    bob = other.new_page()
    try:
        log_in(bob, live_server, world.bob.user.email)
        bob.goto(f"{live_server.url}/d/{token}")
        expect(bob.locator("#price")).to_have_text("€799.00")
        expect(bob.locator('.chip[data-option="panel"][data-value=\'"glass"\']')).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(bob.get_by_label("Name of your design")).to_have_value("Glass kitchen fridge")
        bob.get_by_role("button", name="Order").click()
        expect(bob).to_have_url(re.compile(r"/orders/[0-9a-f]+$"))
        expect(bob.locator("#state-label")).to_have_text("Order placed")
        order_id = bob.url.rsplit("/", 1)[1]
    finally:
        other.close()

    order = httpx.get(
        f"{live_server.url}/api/v1/orders/{order_id}", headers=world.bob.headers, timeout=10
    ).json()
    line = order["lines"][0]
    assert line["template_id"] == template_id
    assert line["template_version"] == 1
    assert line["configuration"]["panel"] == "glass"
    assert line["configuration"]["doors"] == 1
    assert order["total"] == 79_900
    assert [step["id"] for step in line["routing"]][:2] == ["cut", "foam"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_visitors_shirt_survives_logging_in(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    """Ordering while signed out goes through the login and back to the same choices."""
    template_id = publish(live_server, world, SHIRT)
    page = phone
    page.goto(f"{live_server.url}/configure/{template_id}")
    picture = page.locator("#picture svg")
    expect(picture).to_have_attribute("aria-label", "Your regular shirt with a kent collar")

    page.locator('.chip[data-option="fit"][data-value=\'"slim"\']').click()
    page.locator('.chip[data-option="collar"][data-value=\'"mandarin"\']').click()
    page.get_by_label("Monogram").fill("JD")
    expect(picture.locator("text")).to_have_text("JD")
    expect(picture).to_have_attribute("aria-label", "Your slim shirt with a mandarin collar")
    expect(page.locator("#price")).to_have_text("€68.00")  # the monogram adds €9
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Name of your design").fill("Wedding shirt")
    page.get_by_role("button", name="Order").click()

    expect(page).to_have_url(re.compile(r"/login\?next=%2Fconfigure%2F"))
    page.get_by_label("E-mail").fill(world.alice.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/configure/{template_id}")
    expect(page.locator("#status")).to_contain_text("as you left them")
    for option, value in (("fit", "slim"), ("collar", "mandarin")):
        chip = page.locator(f'.chip[data-option="{option}"][data-value=\'"{value}"\']')
        expect(chip).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Monogram")).to_have_value("JD")
    expect(page.get_by_label("Quantity")).to_have_value("2")
    expect(page.locator("#price")).to_have_text("€136.00")
    expect(picture).to_have_attribute("aria-label", "Your slim shirt with a mandarin collar")
    page.get_by_role("button", name="Order").click()
    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f]+$"))
    order_id = page.url.rsplit("/", 1)[1]

    order = httpx.get(
        f"{live_server.url}/api/v1/orders/{order_id}", headers=world.alice.headers, timeout=10
    ).json()
    line = order["lines"][0]
    assert line["configuration"]["fit"] == "slim"
    assert line["configuration"]["monogram"] == "JD"
    assert line["quantity"] == 2


ICE_RULE = "An ice maker sits in the freezer door: choose at least two doors"


def chip(page: Page, option: str, value: str) -> Locator:
    """The button of one value; ``value`` as JSON (``'"glass"'``, ``"2"``, ``"true"``)."""
    return page.locator(f".chip[data-option=\"{option}\"][data-value='{value}']")


def reasons_shown(page: Page) -> list[str]:
    """Every explanation the page holds: tapped reasons, hints, notices."""
    texts: list[str] = page.eval_on_selector_all(
        ".chip[data-reason], .hint, .notice",
        "nodes => nodes.map(n => n.dataset.reason || n.textContent)",
    )
    return texts


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_ice_maker_says_what_it_changed_and_what_it_costs(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    """Issue 19, defects 1 and 2: no silent change of doors and width, no rule ids."""
    template_id = publish(live_server, world, REFRIGERATOR)
    page = phone
    page.goto(f"{live_server.url}/configure/{template_id}")
    expect(page.locator("#price")).to_have_text("€649.00")

    chip(page, "ice_maker", "true").click()
    notice = page.locator("#forced-ice_maker")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(ICE_RULE)
    expect(notice).to_contain_text("Each door needs 10 cm of width on a 45 cm body")
    expect(notice).to_contain_text(
        "we changed Doors from 1 to 2 and Width from 60 cm to 65 cm (+€219.00)."
    )
    expect(page.locator("#price")).to_have_text("€868.00")
    expect(chip(page, "doors", "2")).to_have_attribute("aria-pressed", "true")
    _fits(page)
    _keep(page, "configurator-forced-change")

    one_door = chip(page, "doors", "1")
    expect(one_door).to_have_attribute("aria-disabled", "true")
    # Where a person would tap it: in mid-screen, not under the price card stuck to the top.
    one_door.evaluate("chip => chip.scrollIntoView({block: 'center'})")
    one_door.tap(force=True)
    expect(page.locator("#reason")).to_have_text(ICE_RULE + ".")
    chip(page, "panel", '"glass"').click()  # white glass: nothing else has to move
    expect(page.locator("#price")).to_have_text("€1,018.00")
    expect(notice).to_be_hidden()
    rule_ids = [rule.id for rule in REFRIGERATOR.rules]
    for text in reasons_shown(page):
        assert not any(rule_id in text for rule_id in rule_ids), text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_price_follows_the_quantity_as_it_is_typed(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    """Issue 19, defect 3: no need to leave the field to see what three cost."""
    template_id = publish(live_server, world, SHIRT)
    page = phone
    page.goto(f"{live_server.url}/configure/{template_id}")
    expect(page.locator("#price")).to_have_text("€59.00")
    quantity = page.get_by_label("Quantity")
    quantity.fill("")
    quantity.press_sequentially("3")
    expect(page.locator("#unit")).to_have_text(re.compile(r"^3 . €53\.10$"))  # 10% off from 3
    expect(page.locator("#price")).to_have_text("€159.30")
    expect(quantity).to_be_focused()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_shared_design_shows_what_cannot_go_with_it_at_once(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    """Issue 19, defect 4: a shared design is all choices; what clashes is disabled on arrival."""
    template_id = publish(live_server, world, REFRIGERATOR)
    design = httpx.post(
        f"{live_server.url}/api/v1/designs",
        json={"template_id": template_id, "name": "Small kitchen", "configuration": {}},
        headers=world.alice.headers,
        timeout=30,
    ).json()
    link = httpx.post(
        f"{live_server.url}/api/v1/designs/{design['id']}/share",
        headers=world.alice.headers,
        timeout=30,
    ).json()

    page = phone
    page.goto(f"{live_server.url}/d/{link['token']}")
    ice = chip(page, "ice_maker", "true")
    expect(ice).to_have_attribute("aria-disabled", "true")
    expect(chip(page, "doors", "2")).to_have_attribute("aria-disabled", "true")
    expect(chip(page, "doors", "1")).to_have_attribute("aria-pressed", "true")
    expect(chip(page, "panel", '"steel"')).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#hint-engraving")).to_have_text(
        "Up to 15 characters. The engraving must fit the door: one character per 4 cm of width."
    )
    _fits(page)
    _keep(page, "configurator-shared-design")
    ice.tap(force=True)
    expect(page.locator("#reason")).to_have_text(ICE_RULE + ".")
    expect(ice).to_have_attribute("aria-pressed", "false")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_busy_factory_says_so_beside_the_promise(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    """Issue 18: the promise the configurator shows comes from the live plan as well."""
    platform = live_server.platform
    with platform.db.write() as session:
        register_plant(session, world.enterprise_a.id, demo_factory())
        for machine in session.scalars(select(Machine)):
            machine.state = MachineState.IDLE
    template_id = publish(live_server, world, REFRIGERATOR)
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        load_machines(platform, world, client, "sheet-cut", days=30)
    page = phone
    log_in(page, live_server, world.alice.user.email)
    page.goto(f"{live_server.url}/configure/{template_id}")
    lead = page.locator("#lead-time")
    expect(lead).to_contain_text(re.compile(r"Ships within (3\d) days of payment \(2\d of them"))
    expect(lead).to_contain_text("because the factory is busy")
    _fits(page)
    _keep(page, "configurator-busy-factory")

    steel = MaterialIn(name="Sheet steel 0.8 mm", unit="m²", lead_days=45)
    with platform.db.write() as session:  # out of steel, and the supplier takes 45 days
        materials.define(session, world.enterprise_a.id, "sheet-steel-0.8", steel)
    page.reload()
    expect(lead).to_contain_text(re.compile(r"Ships within (4\d) days of payment \("))
    expect(lead).to_contain_text(re.compile(r"of them because the factory is busy, \d+ waiting"))
    expect(lead).to_contain_text("waiting for Sheet steel 0.8 mm")
    _fits(page)
    _keep(page, "configurator-waiting-for-steel")
