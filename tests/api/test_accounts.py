"""Accounts: sign-up in the browser, roles a person holds, personal API tokens."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.platform.models import User
from tests.conftest import World


def test_sign_up_logs_in_and_stores_an_argon2id_hash(
    client: TestClient, platform: Platform
) -> None:
    form = client.get("/signup")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    response = client.post(
        "/signup",
        data={
            "csrf_token": csrf.group(1),
            "name": "Carla",
            "email": "Carla@Example.com",
            "password": "a-long-enough-password",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    me = client.get("/api/v1/me").json()
    assert me["email"] == "carla@example.com"
    assert me["roles"] == ["user"]
    with platform.db.read() as session:
        stored = session.scalars(select(User.password_hash).where(User.email == me["email"])).one()
    assert stored.startswith("$argon2id$")
    again = client.post(
        "/signup",
        data={
            "csrf_token": csrf.group(1),
            "name": "C",
            "email": "carla@example.com",
            "password": "short",
        },
    )
    assert again.status_code == 403  # the anonymous form token was dropped at log-in


def test_a_person_holds_several_roles(client: TestClient, world: World) -> None:
    maker = client.get("/api/v1/me", headers=world.maker_a.headers).json()
    assert maker["roles"] == ["user", "maker", "enterprise-owner"]
    assert maker["memberships"] == [
        {
            "enterprise_id": world.enterprise_a.id,
            "enterprise_name": "Alpha Works",
            "role": "owner",
        }
    ]
    owner = client.get("/api/v1/me", headers=world.owner.headers).json()
    assert owner["roles"] == ["user", "platform-owner"]


def test_api_tokens_are_shown_once_and_work_until_revoked(client: TestClient, world: World) -> None:
    created = client.post("/api/v1/tokens", json={"name": "cron"}, headers=world.bob.headers)
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("c2m_")
    listed = client.get("/api/v1/tokens", headers=world.bob.headers).json()
    assert all("token" not in t for t in listed)
    own = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=own).json()["email"] == world.bob.user.email
    client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=world.bob.headers)
    assert client.get("/api/v1/me", headers=own).status_code == 401
