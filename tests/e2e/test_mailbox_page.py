"""The mailbox on a phone: the platform owner reads the e-mail a customer was sent when her
payment was received (kept, not sent: no SMTP server is set), newest first, then opens it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _keep
from tests.integration.test_webhooks import place_and_pay

pytestmark = pytest.mark.browser


def test_the_owner_reads_a_customers_mail(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    order_id = place_and_pay(live_server.platform, world)
    page = phone
    log_in(page, live_server, world.owner.user.email)
    page.goto(f"{live_server.url}/mails")
    mail = page.get_by_role("link", name="Your Stool: payment received")
    for _ in range(50):  # the worker writes it within a second or two
        if mail.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(mail).to_be_visible()
    expect(page.get_by_text(f"To {world.alice.user.email}")).to_be_visible()
    _keep(page, "mailbox")
    mail.click()
    expect(page.get_by_role("heading", name="Your Stool: payment received")).to_be_visible()
    expect(page.locator(".mail-text")).to_contain_text(f"/orders/{order_id}")
    _keep(page, "mail")
