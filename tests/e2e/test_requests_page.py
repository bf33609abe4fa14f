"""Issue 19 on a phone: a customer who asked a person to price a part finds the workshop's
answer under "My requests" (the quote page promised it would appear there); nobody else sees it."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.quoting_support import box_stl, open_shop
from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep, _phone

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_customer_reads_the_answer_to_a_request_for_quote(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    open_shop(live_server.platform, world.enterprise_a)
    with httpx.Client(base_url=live_server.url, timeout=60) as api:
        files = [("files", ("bracket.stl", box_stl((30, 30, 3)), "model/stl"))]
        params = {"enterprise_id": world.enterprise_a.id}
        uploaded = api.post(
            "/api/v1/uploads", params=params, files=files, headers=world.alice.headers
        )
        assert uploaded.status_code == 201, uploaded.text
        ask = {
            "enterprise_id": world.enterprise_a.id,
            "upload_ids": [uploaded.json()[0]["id"]],
            "message": "Can you anodise these black? 200 pieces.",
        }
        sent = api.post("/api/v1/rfqs", json=ask, headers=world.alice.headers)
        assert sent.status_code == 201, sent.text
        second = api.post(
            "/api/v1/rfqs", json=ask | {"message": "And 50 in red?"}, headers=world.alice.headers
        )
        assert second.status_code == 201, second.text
        answer = {"message": "Yes: 4.20 EUR each.", "price": 84000, "ship_date": "2027-01-15"}
        answered = api.post(
            f"/api/v1/rfqs/{sent.json()['id']}/answer", json=answer, headers=world.maker_a.headers
        )
        assert answered.status_code == 200, answered.text

    log_in(phone, live_server, world.alice.user.email)
    phone.goto(live_server.url + "/orders")
    phone.get_by_role("link", name="My requests for quote").click()
    requests = phone.locator("#requests .request")
    expect(requests).to_have_count(2)
    done = phone.locator("#requests .request-answered")
    expect(done).to_contain_text("Answered")
    expect(done).to_contain_text("Yes: 4.20 EUR each.")
    expect(done).to_contain_text("840.00")
    expect(done).to_contain_text("Ships by Fri 15 Jan 2027")
    expect(done).to_contain_text("bracket.stl")
    expect(phone.locator("#requests .request-open")).to_contain_text("Waiting for an answer")
    _fits(phone)
    _keep(phone, "my-requests")

    other = _phone(browser)
    log_in(other, live_server, world.bob.user.email)
    other.goto(live_server.url + "/requests")
    expect(other.locator("#requests")).to_contain_text("No requests yet")
    other.context.close()
