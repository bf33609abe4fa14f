"""Service credentials: tokens with scopes, an expiry and a last-used time; service clients that
trade their credentials for short-lived tokens (OAuth 2 client credentials)."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import update

from c2m.bootstrap import Platform
from c2m.domains.platform.models import ApiToken
from c2m.domains.platform.scopes import Scope
from c2m.kernel.clock import utcnow
from c2m.kernel.problem_types import ProblemCode
from tests.api.test_access_control import log_in
from tests.api.test_problem_types import assert_code
from tests.conftest import Person, World, place

TOKEN_URL = "/api/v1/oauth/token"


def token(client: TestClient, person: Person, **body: Any) -> dict[str, Any]:
    created = client.post("/api/v1/tokens", json={"name": "script", **body}, headers=person.headers)
    assert created.status_code == 201, created.text
    answer: dict[str, Any] = created.json()
    return answer


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_read_token_reads_but_cannot_place_an_order(client: TestClient, world: World) -> None:
    place(client, world.alice, world.product_a)
    reader = token(client, world.alice, scopes=["orders:read"])
    assert reader["scopes"] == ["orders:read"]
    listed = client.get("/api/v1/orders", headers=bearer(reader["token"]))
    assert listed.status_code == 200
    assert len(listed.json()) == 1
    body = {"lines": [{"product_id": world.product_a.id, "quantity": 1}]}
    refused = client.post("/api/v1/orders", json=body, headers=bearer(reader["token"]))
    assert "orders:write" in assert_code(refused, ProblemCode.INSUFFICIENT_SCOPE)["detail"]
    me = client.get("/api/v1/me", headers=bearer(reader["token"]))
    assert "account" in assert_code(me, ProblemCode.INSUFFICIENT_SCOPE)["detail"]


def test_a_write_scope_includes_reading(client: TestClient, world: World) -> None:
    writer = bearer(token(client, world.alice, scopes=["orders:write"])["token"])
    assert place(client, world.alice, world.product_a, **writer).status_code == 201
    assert client.get("/api/v1/orders", headers=writer).status_code == 200


def test_a_scoped_token_cannot_make_a_wider_one(client: TestClient, world: World) -> None:
    narrow = bearer(token(client, world.alice, scopes=["account", "orders:read"])["token"])
    wider = client.post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["orders:write"]}, headers=narrow
    )
    assert "orders:write" in assert_code(wider, ProblemCode.INVALID_INPUT)["detail"]
    unknown = client.post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["orders:delete"]}, headers=narrow
    )
    assert_code(unknown, ProblemCode.INVALID_INPUT)
    same = client.post("/api/v1/tokens", json={"name": "x"}, headers=narrow)
    assert same.status_code == 201, same.text
    assert same.json()["scopes"] == ["account", "orders:read"]


def test_expired_tokens_get_401_and_use_is_recorded(
    client: TestClient, world: World, platform: Platform
) -> None:
    lasting = token(client, world.bob, expires_in_days=30)
    expires = lasting["expires_at"]
    assert expires is not None
    assert expires > (utcnow() + timedelta(days=29)).isoformat()
    assert lasting["last_used_at"] is None
    assert client.get("/api/v1/me", headers=bearer(lasting["token"])).status_code == 200
    listed = client.get("/api/v1/tokens", headers=world.bob.headers).json()
    assert next(t for t in listed if t["id"] == lasting["id"])["last_used_at"] is not None

    expiring = token(client, world.bob, expires_in_days=1)
    with platform.db.write() as session:
        past = utcnow() - timedelta(minutes=1)
        session.execute(
            update(ApiToken).where(ApiToken.id == expiring["id"]).values(expires_at=past)
        )
    expired = client.get("/api/v1/me", headers=bearer(expiring["token"]))
    assert "expired" in assert_code(expired, ProblemCode.TOKEN_EXPIRED)["detail"]


def new_client(client: TestClient, person: Person, scopes: list[str]) -> dict[str, Any]:
    created = client.post(
        "/api/v1/service-clients", json={"name": "ERP", "scopes": scopes}, headers=person.headers
    )
    assert created.status_code == 201, created.text
    answer: dict[str, Any] = created.json()
    return answer


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_client_credentials_give_a_short_lived_scoped_token(
    client: TestClient, world: World
) -> None:
    erp = new_client(client, world.maker_a, ["orders:read", "machines"])
    assert (
        "client_secret"
        not in client.get("/api/v1/service-clients", headers=world.maker_a.headers).json()[0]
    )
    grant = {"grant_type": "client_credentials"}
    issued = client.post(
        TOKEN_URL, data=grant, headers=basic(erp["client_id"], erp["client_secret"])
    )
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        3600,
        "machines orders:read",
    )
    server = bearer(body["access_token"])
    orders = f"/api/v1/enterprises/{world.enterprise_a.id}/orders"
    assert client.get(orders, headers=server).status_code == 200
    place_order = place(client, world.maker_a, world.product_b, **server)
    assert_code(place_order, ProblemCode.INSUFFICIENT_SCOPE)

    in_form = {**grant, "client_id": erp["client_id"], "client_secret": erp["client_secret"]}
    narrower = client.post(TOKEN_URL, data={**in_form, "scope": "orders:read"})
    assert narrower.json()["scope"] == "orders:read"
    factories = f"/api/v1/enterprises/{world.enterprise_a.id}/factories"
    narrow = bearer(narrower.json()["access_token"])
    assert_code(client.get(factories, headers=narrow), ProblemCode.INSUFFICIENT_SCOPE)

    revoked = client.delete(f"/api/v1/service-clients/{erp['id']}", headers=world.maker_a.headers)
    assert revoked.json()["revoked_at"] is not None
    assert_code(client.get(orders, headers=server), ProblemCode.NOT_AUTHENTICATED)
    assert_code(client.post(TOKEN_URL, data=in_form), ProblemCode.INVALID_CLIENT)


def test_the_token_endpoint_speaks_oauth_errors(client: TestClient, world: World) -> None:
    erp = new_client(client, world.alice, ["orders:read"])
    form = {"grant_type": "client_credentials", "client_id": erp["client_id"]}

    def oauth_error(response: httpx.Response, code: ProblemCode, error: str) -> None:
        assert assert_code(response, code)["error"] == error

    wrong = client.post(TOKEN_URL, data={**form, "client_secret": "wrong"})
    oauth_error(wrong, ProblemCode.INVALID_CLIENT, "invalid_client")
    missing = client.post(TOKEN_URL, data={"grant_type": "client_credentials"})
    oauth_error(missing, ProblemCode.INVALID_CLIENT, "invalid_client")
    password = {**form, "grant_type": "password", "client_secret": erp["client_secret"]}
    oauth_error(
        client.post(TOKEN_URL, data=password),
        ProblemCode.UNSUPPORTED_GRANT_TYPE,
        "unsupported_grant_type",
    )
    wider = {**form, "client_secret": erp["client_secret"], "scope": "orders:write"}
    oauth_error(client.post(TOKEN_URL, data=wider), ProblemCode.INVALID_INPUT, "invalid_scope")
    beyond = client.post(
        "/api/v1/service-clients",
        json={"name": "x", "scopes": ["orders:read"]},
        headers=bearer(token(client, world.alice, scopes=["account"])["token"]),
    )
    assert "orders:read" in assert_code(beyond, ProblemCode.INVALID_INPUT)["detail"]


def test_every_secured_operation_declares_one_known_scope(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    known = {scope.value for scope in Scope}
    secured = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for requirement in operation.get("security", []):
                scopes = requirement.get("ApiToken")
                if scopes is None:
                    continue  # a machine's own credentials, not a token
                secured += 1
                assert len(scopes) == 1, f"{method} {path}: {scopes}"
                assert scopes[0] in known, f"{method} {path}: {scopes}"
    assert secured > 80


def test_the_account_page_makes_a_scoped_expiring_token(client: TestClient, world: World) -> None:
    csrf = log_in(client, world.alice.user.email)
    page = client.post(
        "/account/tokens",
        data={
            "csrf_token": csrf,
            "name": "reporting",
            "scopes": ["orders:read", "ledger:read"],
            "expires_in_days": "30",
        },
    )
    assert page.status_code == 200
    assert re.search(r"May: ledger:read, orders:read\s+· expires", page.text)
    secret = re.search(r'id="new-token">(c2m_[^<]+)<', page.text)
    assert secret is not None
    assert client.get("/api/v1/orders", headers=bearer(secret.group(1))).status_code == 200


def test_service_clients_are_their_makers_own(client: TestClient, world: World) -> None:
    erp = new_client(client, world.alice, ["orders:read"])
    revoke = client.delete(f"/api/v1/service-clients/{erp['id']}", headers=world.bob.headers)
    assert_code(revoke, ProblemCode.NOT_FOUND)
    assert client.get("/api/v1/service-clients", headers=world.bob.headers).json() == []
    mine = client.get("/api/v1/service-clients", headers=world.alice.headers).json()
    assert [c["revoked_at"] for c in mine] == [None]


def test_a_form_body_is_not_told_to_be_json(client: TestClient) -> None:
    empty = client.post(TOKEN_URL, data={"grant_type": ""})
    assert_code(empty, ProblemCode.INVALID_INPUT)
