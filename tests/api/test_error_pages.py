"""A browser that meets an error gets a page in words, with the signed-in header and a way back;
an API client gets the same error as problem+json. The API documentation works offline."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.test_access_control import log_in
from tests.conftest import World

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_an_unknown_address_is_a_page_for_a_browser_and_a_problem_for_a_script(
    client: TestClient,
) -> None:
    page = client.get("/no/such/page", headers=BROWSER)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is nothing at this address." in page.text
    assert "Check the address" in page.text
    script = client.get("/no/such/page")
    assert script.status_code == 404
    assert script.headers["content-type"] == "application/problem+json"
    api = client.get("/api/v1/no/such/thing", headers=BROWSER)
    assert api.headers["content-type"] == "application/problem+json"


def test_an_error_page_keeps_the_signed_in_header_and_leads_back(
    client: TestClient, world: World
) -> None:
    log_in(client, world.alice.user.email)
    came_from = str(client.base_url) + "/orders"
    page = client.get("/orders/not-an-order-at-all", headers={**BROWSER, "Referer": came_from})
    assert page.status_code == 404
    assert world.alice.user.name in page.text
    assert ">Log in<" not in page.text
    assert 'href="/orders">Back to where you were' in page.text


def test_a_wrong_method_on_a_page_keeps_its_allow_header(client: TestClient) -> None:
    page = client.delete("/login", headers=BROWSER)
    assert page.status_code == 405
    assert page.headers["content-type"].startswith("text/html")
    assert "GET" in page.headers["allow"]


def test_a_page_that_needs_a_session_sends_a_browser_to_log_in(client: TestClient) -> None:
    page = client.get("/account", headers=BROWSER, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/account"


def test_the_api_documentation_loads_nothing_from_elsewhere(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        addresses = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert addresses, path
        for address in addresses:
            assert address.startswith("/"), f"{path} loads {address}"
            assert client.get(address).status_code == 200, address
