"""Shared fixtures: a real database (SQLite file and, when reachable, PostgreSQL), the platform,
an in-process app client, and a live server on a free port for streaming and browser tests.

PostgreSQL tests run whenever the server answers; with ``C2M_REQUIRE_POSTGRES=1`` (set in CI) an
unreachable server fails them instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Awaitable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from unittest.mock import patch

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform, build_platform, metadata
from c2m.domains.catalog.models import Product
from c2m.domains.catalog.schemas import TemplateDefinition
from c2m.domains.orders import placement
from c2m.domains.orders.models import Order
from c2m.domains.orders.schemas import NewOrder
from c2m.domains.platform import security
from c2m.domains.platform import service as accounts
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise, User
from c2m.domains.platform.schemas import SignUp
from c2m.engines.configurator import Template
from c2m.migrations import upgrade
from c2m.settings import Settings
from c2m.web.app import create_app

POSTGRES_URL = os.environ.get(
    "C2M_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("C2M_REQUIRE_POSTGRES") == "1"
PASSWORD = "correct-horse-battery"
T = TypeVar("T")


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({type(exc).__name__})"
    return None


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards."""
    reason = _postgres_reason()
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(reason + " and C2M_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    name = f"c2m_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id at its lowest cost in this process: the defaults take 0.15 s a hash, and every
    test's world hashes five passwords, minutes over the suite. Hashes stay argon2id (tests of
    hashing read the prefix), a hash made elsewhere verifies by its own parameters, and
    processes the tests start (the CLI, workers) keep the real cost."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    with patch.object(security, "_hasher", lambda: cheap):
        yield


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; each test gets a copy of it (running
    every migration per test cost about a second each, minutes over the suite)."""
    template = tmp_path_factory.mktemp("schema") / "c2m.sqlite3"
    upgrade(f"sqlite:///{template}")
    with closing(sqlite3.connect(template)) as conn:  # everything into the one file copied
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return template


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        database = tmp_path / "c2m.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), database)
        return f"sqlite:///{database}"
    url: str = request.getfixturevalue("postgres_server_url")
    _truncate_all(url)
    return url


def make_settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": tmp_path,
        "secret_key": secrets.token_urlsafe(40),
        "payment_webhook_delay": 0.05,
        "sse_poll_seconds": 1.0,
        "outbox_poll_seconds": 0.2,
        # Tests drive the API far faster than people; tests/api/test_rate_limits.py sets limits.
        "api_calls_per_token": "1000000 per second",
        "uploads_per_person": "1000000 per second",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def platform(database_url: str, tmp_path: Path) -> Iterator[Platform]:
    built = build_platform(make_settings(database_url, tmp_path))
    yield built
    built.shutdown()


@dataclass
class Person:
    user: User
    actor: Actor
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """Two customers, two micro-enterprises with owners, a platform owner and a product each."""

    alice: Person
    bob: Person
    maker_a: Person
    maker_b: Person
    owner: Person
    enterprise_a: Enterprise
    enterprise_b: Enterprise
    product_a: Product
    product_b: Product


def add_person(platform: Platform, name: str, **roles: bool) -> Person:
    with platform.db.write() as session:
        user = accounts.create_user(
            session,
            SignUp(email=f"{name}@example.com", name=name.title(), password=PASSWORD),
            **roles,
        )
        actor = Actor.of(user)
        _, token = accounts.create_token(session, actor, "tests")
    return Person(user, actor, token)


def refresh(platform: Platform, person: Person) -> Person:
    with platform.db.read() as session:
        user = session.get(User, person.user.id)
        assert user is not None
        return Person(user, Actor.of(user), person.token)


@pytest.fixture
def world(platform: Platform) -> World:
    alice = add_person(platform, "alice")
    bob = add_person(platform, "bob")
    maker_a = add_person(platform, "maker_a", is_maker=True)
    maker_b = add_person(platform, "maker_b")
    owner = add_person(platform, "owner", is_platform_owner=True)
    with platform.db.write() as session:
        ma = session.get(User, maker_a.user.id)
        mb = session.get(User, maker_b.user.id)
        assert ma is not None
        assert mb is not None
        enterprise_a = accounts.create_enterprise(session, "Alpha Works", "alpha", ma)
        enterprise_b = accounts.create_enterprise(session, "Beta Works", "beta", mb)
        product_a = Product(
            enterprise_id=enterprise_a.id, slug="stool", name="Stool", unit_price=4500
        )
        product_b = Product(
            enterprise_id=enterprise_b.id, slug="lamp", name="Lamp", unit_price=3000
        )
        session.add_all([product_a, product_b])
    return World(
        alice,
        bob,
        refresh(platform, maker_a),
        refresh(platform, maker_b),
        owner,
        enterprise_a,
        enterprise_b,
        product_a,
        product_b,
    )


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    """The app in-process; background loops off (tests drive the relay themselves)."""
    with TestClient(create_app(platform, run_background=False)) as test_client:
        yield test_client


def run_async(scenario: Awaitable[T], timeout: float = 60) -> T:
    """Run a coroutine to completion on a loop of its own, in a thread of its own: the browser
    tests' sync Playwright keeps an event loop running in the main thread for the session."""

    async def bounded() -> T:
        return await asyncio.wait_for(scenario, timeout)

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, bounded()).result()


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nothing listens on that this test process has not handed out before: the system
    may offer a port again as soon as it is closed, and a test's two servers would collide."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


@dataclass
class LiveServer:
    url: str
    platform: Platform


def _serve(app: FastAPI, port: int) -> tuple[uvicorn.Server, threading.Thread, str] | None:
    """Uvicorn on ``port`` in a thread, once it answers; None if it died first (another
    process took the port between our look and its bind)."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=1,  # open live streams must not hold the test up
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # a busy machine (parallel tests, OctoPrint) is slow
    while time.monotonic() < deadline and thread.is_alive():
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return server, thread, url
        except httpx.HTTPError:
            time.sleep(0.05)
    server.should_exit = True
    thread.join(timeout=10)
    return None


@contextmanager
def serving(platform: Platform, port: int | None = None) -> Iterator[LiveServer]:
    """The real app on a real socket, with its background loops, in a thread: on ``port`` (the
    one its base URL names), or on a free port, tried three times."""
    for _ in range(3 if port is None else 1):
        started = _serve(create_app(platform), port or free_port())
        if started is not None:
            break
    else:
        pytest.fail("the live server did not start")
    server, thread, url = started
    yield LiveServer(url, platform)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live_server(platform: Platform) -> Iterator[LiveServer]:
    with serving(platform) as live:
        yield live


def place(
    client: TestClient | httpx.Client,
    person: Person,
    product: Product,
    quantity: int = 1,
    **headers: str,
) -> httpx.Response:
    return client.post(
        "/api/v1/orders",
        json={"lines": [{"product_id": product.id, "quantity": quantity}]},
        headers={**person.headers, **headers},
    )


def place_order(session: Session, actor: Actor, data: NewOrder) -> Order:
    """An order placed in the caller's transaction, for tests that roll it back or watch it
    commit; requests go through ``placement.place`` or the group-committed ``place_orders``."""
    prepared = placement.prepare_order(session, actor, data)
    placement.insert_prepared(session, prepared)
    order = session.get(Order, prepared.order_id)
    assert order is not None
    return order


def publish_template(client: TestClient | httpx.Client, world: World, template: Template) -> str:
    """Alpha Works' maker publishes ``template``; its id."""
    definition = TemplateDefinition.of(template).model_dump(mode="json")
    made = client.post(
        f"/api/v1/enterprises/{world.enterprise_a.id}/templates",
        json={"definition": definition, "published": True},
        headers=world.maker_a.headers,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def order_design(
    client: TestClient | httpx.Client,
    world: World,
    template: Template,
    configuration: dict[str, object],
) -> dict[str, object]:
    """Alice's order of ``configuration``, designed on ``template`` as Alpha Works publishes it."""
    template_id = publish_template(client, world, template)
    design = client.post(
        "/api/v1/designs",
        json={"template_id": template_id, "name": "Mine", "configuration": configuration},
        headers=world.alice.headers,
    )
    assert design.status_code == 201, design.text
    order = client.post(f"/api/v1/designs/{design.json()['id']}/order", headers=world.alice.headers)
    assert order.status_code == 201, order.text
    placed: dict[str, object] = order.json()
    return placed


def pay_for(client: TestClient | httpx.Client, person: Person, order: dict[str, object]) -> None:
    """Pay a placed order (``order`` as the API answered) with the test method that succeeds."""
    paid = client.post(
        f"/api/v1/orders/{order['id']}/pay",
        json={"payment_method": "test-ok", "expected_version": order["version"]},
        headers=person.headers,
    )
    assert paid.status_code == 200, paid.text
