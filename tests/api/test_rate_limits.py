"""Rate limits, in memory or in Redis shared by every web process (required in CI:
C2M_REQUIRE_REDIS=1): guessing passwords is slowed down per account and per address, and the
owner gets in again once the window has passed; a token's API calls and a person's uploads
have budgets, answered 429 with Retry-After and a sentence once spent."""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from c2m.bootstrap import Platform, build_platform
from c2m.web.app import create_app
from tests.api.quoting_support import box_stl, open_shop
from tests.conftest import PASSWORD, World, add_person, make_settings

REDIS = os.environ.get("C2M_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _storage(kind: str) -> str:
    if kind == "memory":
        return "memory://"
    address = httpx.URL(REDIS.replace("redis://", "http://"))
    try:
        socket.create_connection((address.host, address.port or 6379), timeout=3).close()
    except OSError as exc:
        if os.environ.get("C2M_REQUIRE_REDIS") == "1":
            pytest.fail(f"no Redis at {REDIS} ({exc}) and C2M_REQUIRE_REDIS=1")
        pytest.skip(f"no Redis at {REDIS}")
    return REDIS


@pytest.fixture(params=["memory", "redis"])
def platform(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[Platform]:
    settings = make_settings(
        database_url,
        tmp_path,
        rate_limit_storage=_storage(request.param),
        login_failures_per_account="5 per 8 seconds",
        login_failures_per_address="8 per 8 seconds",
        api_calls_per_token="12 per 20 seconds",
        uploads_per_person="2 per 20 seconds",
    )
    built = build_platform(settings)
    yield built
    built.shutdown()


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    """From an address of its own: Redis keeps counting between tests and test processes."""
    address = f"test-{uuid.uuid4().hex[:12]}"
    app = create_app(platform, run_background=False)
    with TestClient(app, client=(address, 50000)) as test_client:
        yield test_client


def _try(client: TestClient, email: str, password: str) -> httpx.Response:
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    data = {"email": email, "password": password, "csrf_token": csrf.group(1)}
    return client.post("/login", data=data, follow_redirects=False)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_account_is_locked_after_failed_log_ins_only_for_the_window(
    client: TestClient, platform: Platform
) -> None:
    owner = add_person(platform, f"owner{uuid.uuid4().hex[:6]}").user.email
    for _ in range(5):
        assert _try(client, owner, "not-the-password").status_code == 401
    locked = _try(client, owner, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.text
    wait = int(locked.headers["Retry-After"])
    assert 0 < wait <= 8
    time.sleep(wait + 0.5)
    assert _try(client, owner, PASSWORD).status_code == 303


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_one_address_guessing_many_accounts_is_slowed_down(
    client: TestClient, platform: Platform
) -> None:
    guesses = [f"nobody{n}-{uuid.uuid4().hex[:6]}@example.com" for n in range(8)]
    assert {_try(client, email, "guess").status_code for email in guesses} == {401}
    slowed = _try(client, "someone-else@example.com", "guess")
    assert slowed.status_code == 429
    assert int(slowed.headers["Retry-After"]) <= 8


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_tokens_api_calls_have_a_budget_and_others_are_served(
    client: TestClient, world: World
) -> None:
    for _ in range(12):
        assert client.get("/api/v1/me", headers=world.alice.headers).status_code == 200
    spent = client.get("/api/v1/me", headers=world.alice.headers)
    assert spent.status_code == 429
    assert spent.headers["content-type"] == "application/problem+json"
    assert "Too many API calls: at most 12 per 20 seconds" in spent.json()["detail"]
    assert 0 < int(spent.headers["Retry-After"]) <= 20
    assert client.get("/api/v1/me", headers=world.bob.headers).status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_persons_uploads_have_a_budget(client: TestClient, world: World) -> None:
    open_shop(client.app.state.platform, world.enterprise_a)  # type: ignore[attr-defined]

    def upload() -> httpx.Response:
        return client.post(
            "/api/v1/uploads",
            params={"enterprise_id": world.enterprise_a.id},
            files=[("files", ("box.stl", box_stl((20, 20, 10)), "application/octet-stream"))],
            headers=world.alice.headers,
        )

    assert [upload().status_code for _ in range(2)] == [201, 201]
    spent = upload()
    assert spent.status_code == 429
    assert "Too many uploads" in spent.json()["detail"]
