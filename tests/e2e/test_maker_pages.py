"""Issue 15 on a phone: someone new becomes a maker, registers their printer, sees its secret
once with the exact agent command, watches it come online; the platform owner suspends them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from c2m.domains.factory import credentials
from c2m.domains.factory.models import Machine
from c2m.domains.factory.vocabulary import MachineState
from tests.conftest import PASSWORD, LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep, _phone

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_new_person_becomes_a_maker_and_connects_a_printer(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    maker = phone
    maker.goto(live_server.url + "/")
    maker.get_by_role("link", name="Become a maker").click()
    maker.get_by_label("Your name").fill("Dana Example")
    maker.get_by_label("E-mail").fill("dana@example.com")
    maker.get_by_label("Password").fill(PASSWORD)
    maker.get_by_label("Workshop name (public)").fill("Garage Prints")
    maker.get_by_label("Country you ship from").select_option("DE")
    maker.get_by_label("Region").fill("Bavaria")
    maker.get_by_label("Certificates").fill("food-safe, ISO 9001")
    _fits(maker)
    _keep(maker, "maker-join")
    maker.get_by_role("button", name="Become a maker").click()

    expect(maker).to_have_url(re.compile(r"/maker$"))
    expect(maker.get_by_role("heading", level=1)).to_have_text("Garage Prints")
    expect(maker.locator("#status")).to_contain_text("0 of your first 3 jobs done")
    expect(maker.locator("#status")).to_contain_text("150 mm")
    expect(maker.locator("#offers")).to_contain_text("No offers yet")
    expect(maker.locator("main")).not_to_contain_text("Dana Example")  # the nav says it, only
    add = maker.locator('form[action="/maker/machines"]')
    add.get_by_label("Code").fill("prusa-1")
    add.get_by_label("Name", exact=True).fill("Prusa MK4")
    add.get_by_label("Material loaded").fill("PLA")
    add.get_by_label("Colour").fill("black")
    add.get_by_label("X", exact=True).fill("250")
    add.get_by_label("Y", exact=True).fill("210")
    add.get_by_label("Z", exact=True).fill("220")
    add.get_by_label("Price per hour").fill("1,50")  # a comma: refused with the reason
    add.get_by_role("button", name="Add the printer").click()
    expect(maker.get_by_role("alert")).to_contain_text("write it like 1.50")
    expect(add.get_by_label("Material loaded")).to_have_value("PLA")  # nothing typed is lost
    add.get_by_label("Price per hour").fill("1.50")
    add.get_by_role("button", name="Add the printer").click()

    login = maker.locator("#new-login")
    expect(login).to_contain_text("shown once")
    secret = maker.locator("#machine-secret").inner_text()
    command = maker.locator("#agent-command").inner_text()
    workshop = re.search(r"--factory (\S+)", command)
    assert workshop is not None
    assert workshop.group(1).startswith("garage-prints-")
    assert f"export C2M_AGENT_SECRET={secret}" in command
    assert "--machine prusa-1" in command
    assert f"--platform {live_server.platform.settings.base_url}" in command
    assert "uv run c2m agent" in command
    with live_server.platform.db.read() as session:
        username = f"{workshop.group(1)}/prusa-1"
        printer = credentials.authenticate(session, username, secret)  # the agent's login works
    card = maker.locator('[data-machine-code="prusa-1"]')
    expect(card).to_contain_text("€1.50 per hour")
    expect(card.locator("[data-state]")).to_have_text("offline")
    _fits(maker)
    _keep(maker, "maker-dashboard")

    with live_server.platform.db.write() as session:  # what the agent's birth message does
        machine = session.get(Machine, printer.id)
        assert machine is not None
        machine.state = MachineState.IDLE
    expect(card.locator("[data-state]")).to_have_text("idle", timeout=15_000)
    maker.reload()
    expect(maker.locator("#machine-secret")).to_have_count(0)  # shown once only

    card.get_by_text("Change spool or prices").click()
    expect(card.get_by_label("Price per hour")).to_have_value("1.50")
    card.get_by_label("Material loaded").fill("PETG")
    card.get_by_label("Colour").fill("orange")
    card.get_by_role("button", name="Save").click()
    expect(card).to_contain_text("PETG, orange")
    profile = maker.locator("#profile")
    profile.get_by_text("Change your profile").click()
    profile.get_by_label("Region").fill("Upper Bavaria")
    profile.get_by_role("button", name="Save the profile").click()
    expect(maker.get_by_text("ships from Upper Bavaria, Germany")).to_be_visible()

    owner = _phone(browser)
    log_in(owner, live_server, world.owner.user.email)
    owner.get_by_role("link", name="Makers").click()
    entry = owner.locator("#makers .card").filter(has_text="Garage Prints")
    expect(entry).to_contain_text("probation")
    expect(entry).to_contain_text("Bavaria, Germany")
    entry.get_by_label("Why?").fill("Parts arrived broken twice this week")
    _fits(owner)
    _keep(owner, "network")
    entry.get_by_role("button", name="Suspend").click()
    expect(entry).to_contain_text("suspended")
    owner.context.close()

    maker.reload()
    expect(maker.locator("#status")).to_contain_text("Suspended")
    expect(maker.locator("#status")).to_contain_text("Parts arrived broken twice this week")
