"""Acceptance 6: nobody reaches another's objects; anonymous callers reach only public pages;
cookie-authenticated changes need the CSRF token.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from c2m.bootstrap import Platform
from c2m.domains.orders.service import events_after
from tests.conftest import PASSWORD, Person, World, place

PUBLIC_API = {
    ("GET", "/api/v1/products"),
    ("GET", "/api/v1/products/{product_id}"),
    ("GET", "/api/v1/shared-orders/{token}/events"),
    # Published templates are for everyone to configure; drafts answer 404 (test_templates.py).
    ("GET", "/api/v1/enterprises/{enterprise_id}/templates"),
    ("GET", "/api/v1/templates/{template_id}"),
    ("GET", "/api/v1/templates/{template_id}/versions"),
    ("POST", "/api/v1/templates/{template_id}/configure"),
    ("GET", "/api/v1/shared-designs/{token}"),
    ("POST", "/api/v1/payments/test/callbacks"),  # authenticated by the provider's signature
    ("POST", "/api/v1/oauth/token"),  # authenticated by the service client's own credentials
    # Public circles are for everyone to read; members-only ones answer 404 (test_circles.py).
    ("GET", "/api/v1/circles"),
    ("GET", "/api/v1/circles/{circle_id}"),
    ("GET", "/api/v1/circles/{circle_id}/demands"),
    ("GET", "/api/v1/circles/{circle_id}/demands/{demand_id}/picture"),
    ("GET", "/api/v1/circles/{circle_id}/comments"),
    ("GET", "/api/v1/circles/{circle_id}/proposals"),
}


def paid_order_of(client: TestClient, world: World) -> str:
    order_id: str = place(client, world.alice, world.product_a).json()["id"]
    paid = client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": "test-ok"},
        headers=world.alice.headers,
    )
    assert paid.status_code == 200
    return order_id


def object_calls(
    world: World, order_id: str, token_id: str
) -> list[tuple[str, str, dict[str, object]]]:
    """Every endpoint that takes an id, aimed at objects of Alice and of enterprise A."""
    ea = world.enterprise_a.id
    return [
        ("GET", f"/api/v1/orders/{order_id}", {}),
        ("GET", f"/api/v1/orders/{order_id}/events", {}),
        ("POST", f"/api/v1/orders/{order_id}/pay", {"payment_method": "test-ok"}),
        ("POST", f"/api/v1/orders/{order_id}/cancel", {}),
        ("POST", f"/api/v1/orders/{order_id}/refund", {}),
        ("POST", f"/api/v1/orders/{order_id}/advance", {"to": "designing"}),
        ("POST", f"/api/v1/orders/{order_id}/share", {}),
        ("DELETE", f"/api/v1/orders/{order_id}/share", {}),
        ("DELETE", f"/api/v1/tokens/{token_id}", {}),
        ("GET", f"/api/v1/enterprises/{ea}", {}),
        ("GET", f"/api/v1/enterprises/{ea}/orders", {}),
        (
            "POST",
            f"/api/v1/enterprises/{ea}/products",
            {"slug": "intruder", "name": "Intruder", "unit_price": 1},
        ),
    ]


@pytest.mark.parametrize("intruder", ["bob", "maker_b"])
def test_strangers_get_nothing_and_change_nothing(
    client: TestClient, platform: Platform, world: World, intruder: str
) -> None:
    order_id = paid_order_of(client, world)
    token_id = client.get("/api/v1/tokens", headers=world.alice.headers).json()[0]["id"]
    stranger: Person = getattr(world, intruder)
    before = client.get(f"/api/v1/orders/{order_id}", headers=world.alice.headers).json()
    for method, url, body in object_calls(world, order_id, token_id):
        response = client.request(
            method, url, json=body if method == "POST" else None, headers=stranger.headers
        )
        assert response.status_code in {403, 404}, (method, url, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"
        problem = {k: v for k, v in response.json().items() if k != "instance"}  # echoes the URL
        assert order_id not in str(problem)
        assert world.alice.user.email not in str(problem)
    after = client.get(f"/api/v1/orders/{order_id}", headers=world.alice.headers).json()
    assert after == before
    with platform.db.read() as session:
        assert [e.type for e in events_after(session, order_id, 0)] == ["placed", "paid"]
    assert client.get("/api/v1/tokens", headers=world.alice.headers).json()[0]["revoked_at"] is None
    mine = client.get("/api/v1/orders", headers=stranger.headers).json()
    assert all(o["id"] != order_id for o in mine)
    theirs = client.get("/api/v1/enterprises", headers=stranger.headers).json()
    assert all(e["id"] != world.enterprise_a.id for e in theirs)


def test_the_maker_and_the_platform_owner_see_the_enterprise_order(
    client: TestClient, world: World
) -> None:
    order_id = paid_order_of(client, world)
    for person in (world.maker_a, world.owner):
        assert client.get(f"/api/v1/orders/{order_id}", headers=person.headers).status_code == 200
        listed = client.get(
            f"/api/v1/enterprises/{world.enterprise_a.id}/orders", headers=person.headers
        ).json()
        assert [o["id"] for o in listed] == [order_id]
    assert (
        client.get(
            f"/api/v1/enterprises/{world.enterprise_b.id}/orders", headers=world.maker_a.headers
        ).status_code
        == 404
    )


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "0123456789abcdef0123456789abcdef", path)


def test_anonymous_callers_are_refused_everywhere_but_public_endpoints(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    routes = [(method.upper(), path) for path, item in paths.items() for method in item]
    assert len(routes) >= 15
    tagged = {
        (method.upper(), path)
        for path, item in paths.items()
        for method, operation in item.items()
        if "public" in operation.get("tags", ())
    }
    assert tagged <= PUBLIC_API, f"tagged public but not reviewed here: {tagged - PUBLIC_API}"
    for method, path in routes:
        if (method, path) in PUBLIC_API:
            continue
        response = client.request(method, _concrete(path), json={})
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"
    for page in ("/orders", "/account", "/orders/0123456789abcdef0123456789abcdef"):
        response = client.get(page, headers={"Accept": "text/html"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


def test_a_revoked_token_is_refused(client: TestClient, world: World) -> None:
    token_id = client.get("/api/v1/tokens", headers=world.alice.headers).json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=world.alice.headers).is_success
    response = client.get("/api/v1/me", headers=world.alice.headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def log_in(client: TestClient, email: str) -> str:
    """Log in through the form, as a browser does; returns the session's CSRF token."""
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/account")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return token.group(1)


def test_cookie_authenticated_changes_need_the_csrf_token(client: TestClient, world: World) -> None:
    csrf = log_in(client, world.alice.user.email)
    body = {"lines": [{"product_id": world.product_a.id, "quantity": 1}]}
    refused = client.post("/api/v1/orders", json=body)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    accepted = client.post("/api/v1/orders", json=body, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201
    form = client.post("/account/tokens", data={"name": "sneaky"})
    assert form.status_code in {403, 422}
    forged = client.post("/account/tokens", data={"name": "sneaky", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    assert client.get("/api/v1/me").status_code == 401


def test_login_form_without_csrf_token_is_refused(client: TestClient, world: World) -> None:
    response = client.post(
        "/login", data={"email": world.alice.user.email, "password": PASSWORD, "csrf_token": "x"}
    )
    assert response.status_code == 403


def test_back_office_is_for_the_platform_owner_only(client: TestClient, world: World) -> None:
    assert client.get("/admin/", follow_redirects=False).status_code in {302, 303}
    log_in(client, world.alice.user.email)
    assert client.get("/admin/", follow_redirects=False).status_code in {302, 303}
    client.cookies.clear()
    log_in(client, world.owner.user.email)
    page = client.get("/admin/", follow_redirects=False)
    assert page.status_code == 200
    assert "c2m back office" in page.text
    assert "/admin/order/list" in page.text  # links resolve inside the lazily built back office
    assert client.get("/admin/order/list").status_code == 200
    assert client.get("/admin/statics/css/main.css").status_code == 200
