"""The command line: help, clear errors with exit code 2, and the demo's whole life cycle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from c2m.cli.main import app
from c2m.domains.traceability.verification import check
from c2m.engines.credentials.linked_data import undefined_terms
from tests.conftest import free_port

runner = CliRunner()
C2M = [str(Path(sys.executable).parent / "c2m")]


def test_help_lists_every_command_with_a_line_of_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "serve", "db", "user"):
        assert command in result.output


def test_serve_refuses_the_insecure_default_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("C2M_SECRET_KEY", raising=False)
    monkeypatch.setenv("C2M_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "C2M_SECRET_KEY" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_an_unmigrated_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("C2M_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("C2M_SECRET_KEY", "k" * 40)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "c2m db upgrade" in result.output


def test_user_create_and_its_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("C2M_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    args = ["user", "create", "--email", "boss@example.com", "--name", "Boss", "--platform-owner"]
    created = runner.invoke(app, [*args, "--password", "a-long-password"])
    assert created.exit_code == 0, created.output
    again = runner.invoke(app, [*args, "--password", "a-long-password"])
    assert again.exit_code == 2
    assert "already exists" in again.output
    short = runner.invoke(
        app, ["user", "create", "--email", "x@example.com", "--name", "X", "--password", "short"]
    )
    assert short.exit_code == 2
    assert "password" in short.output


def test_bad_database_url_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2M_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "Cannot use the database" in result.output


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_demo_left_running() -> Iterator[None]:
    """A demo that a failing test started is killed, not left serving (and busy) after it."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.communicate()


def _start_demo(data_dir: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("C2M_")}
    broker = ["--mqtt-port", str(free_port())]
    process = subprocess.Popen(
        [*C2M, "demo", "--port", str(port), "--data-dir", str(data_dir), *broker, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "COLUMNS": "200"},
    )
    _STARTED.append(process)
    return process


def _wait_up(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()  # not left running after the test
    pytest.fail(f"the demo did not come up: {process.communicate()[0][-2000:]}")


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def _wait_for_production(database: Path) -> None:
    """Simulated customers order and pay; the twin's factory starts making something."""
    engine = create_engine(f"sqlite:///{database}")
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                started = conn.execute(
                    text("SELECT count(*) FROM order_events WHERE type = 'operation_started'")
                ).scalar()
            if started:
                return
            time.sleep(0.5)
    finally:
        engine.dispose()
    pytest.fail("no operation started in the demo's factory within a minute")


def _orders_by_email_domain(database: Path) -> set[str]:
    """Whose accounts the demo's orders are on: the simulated customers', never a log-in's."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            emails = conn.execute(
                text("SELECT DISTINCT u.email FROM orders o JOIN users u ON u.id = o.customer_id")
            ).scalars()
            return {email.partition("@")[2] for email in emails}
    finally:
        engine.dispose()


DELIVERED_UNIT = text(
    "SELECT u.serial FROM units u JOIN orders o ON o.id = u.order_id "
    "JOIN order_lines l ON l.id = u.line_id "
    "WHERE o.state = 'delivered' AND l.template_id IS NOT NULL LIMIT 1"
)
"""A unit of a configured product (its template declares what inspection measures), delivered."""
DELIVERED_UNITS = text(
    "SELECT u.serial FROM units u JOIN orders o ON o.id = u.order_id WHERE o.state = 'delivered'"
)


def _a_demo_unit_has_a_passport_that_verifies(data_dir: Path, url: str) -> None:
    """Issue 17: a configured unit the demo's factory delivered has a serial and a signed
    passport that ``c2m passport verify`` accepts against the keys the demo publishes, with what
    its inspection measured and the footprint its machines' power readings give."""
    engine = create_engine(f"sqlite:///{data_dir / 'c2m.sqlite3'}")
    deadline = time.monotonic() + 120
    serial = None
    try:
        while serial is None and time.monotonic() < deadline:
            with engine.connect() as conn:
                serial = conn.execute(DELIVERED_UNIT).scalar()
            time.sleep(0.5)
    finally:
        engine.dispose()
    assert serial is not None, "no configured unit was delivered within two minutes"
    env = {"C2M_DATA_DIR": str(data_dir), "C2M_SECRET_KEY": "s" * 40}
    command = ["user", "token", "owner@c2m.example", "--name", "tests"]
    token = runner.invoke(app, command, env=env)
    assert token.exit_code == 0, token.output
    bearer = {"Authorization": f"Bearer {token.output.split()[-1]}"}
    passport = httpx.get(f"{url}/u/{serial}", headers={"Accept": "application/json", **bearer})
    assert passport.status_code == 200, passport.text
    subject = passport.json()["credentialSubject"]
    (claim,) = subject["conformityClaim"]
    assert claim["conformance"] is True
    assert claim["declaredValue"], "the inspection's measurements"
    assert all(m["score"] == "within tolerance" for m in claim["declaredValue"])
    assert subject["emissionsScorecard"]["energyConsumed"]["value"] > 0
    assert subject["materialsProvenance"]
    saved = data_dir / "passport.json"
    saved.write_text(passport.text)
    keys = f"{url}/.well-known/did.json"
    verified = runner.invoke(app, ["passport", "verify", str(saved), "--did-document", keys])
    assert verified.exit_code == 0, verified.output
    assert f"{serial}, signed by did:web:" in verified.output
    _every_delivered_unit_verifies(data_dir, url, bearer)


def _every_delivered_unit_verifies(data_dir: Path, url: str, bearer: dict[str, str]) -> None:
    """Issue 17: every unit the demo delivered has a passport that verifies, and is linked
    data in which no term is lost."""
    engine = create_engine(f"sqlite:///{data_dir / 'c2m.sqlite3'}")
    try:
        with engine.connect() as conn:
            serials = conn.execute(DELIVERED_UNITS).scalars().all()
    finally:
        engine.dispose()
    did_document = httpx.get(f"{url}/.well-known/did.json").json()
    for serial in serials:
        answer = httpx.get(f"{url}/u/{serial}", headers={"Accept": "application/json", **bearer})
        assert answer.status_code == 200, answer.text
        assert check(answer.json(), did_document).serial == serial
        assert undefined_terms(answer.json()) == [], serial


@pytest.mark.slow
def test_demo_starts_seeds_stops_on_ctrl_c_and_keeps_its_data(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = _start_demo(tmp_path, port, "--orders-per-minute", "60", "--speed", "600")
    _wait_up(url, process)
    products = httpx.get(url + "/api/v1/products").json()
    assert sorted(p["name"] for p in products) == [  # listed oldest first, as every list
        "Customizable refrigerator",
        "Desk organiser",
        "Made-to-measure shirt",
        "Parametric mounting plate",
    ]
    login = httpx.get(url + "/login")
    assert login.status_code == 200
    _wait_for_production(tmp_path / "c2m.sqlite3")
    assert _orders_by_email_domain(tmp_path / "c2m.sqlite3") == {"shoppers.c2m.example"}
    _a_demo_unit_has_a_passport_that_verifies(tmp_path, url)
    output = _stop(process)
    assert url in output
    assert "alice@c2m.example" in output
    assert "(new)" in output
    process = _start_demo(tmp_path, port)
    _wait_up(url, process)
    assert "(kept from last time)" in _stop(process)
    process = _start_demo(tmp_path, port, "--reset")
    _wait_up(url, process)
    assert "(new)" in _stop(process)


def test_uvicorn_serves_the_web_tier_from_the_app_factory_in_two_processes(tmp_path: Path) -> None:
    """docs/deploy.md: ``uvicorn --factory c2m.web.asgi:app --workers N`` is the web tier."""
    from c2m.migrations import upgrade

    upgrade(f"sqlite:///{tmp_path / 'c2m.sqlite3'}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("C2M_")}
    env.update(C2M_DATA_DIR=str(tmp_path), C2M_SECRET_KEY="s" * 40)
    port = free_port()
    uvicorn = str(Path(sys.executable).parent / "uvicorn")
    command = [uvicorn, "--factory", "c2m.web.asgi:app", "--workers", "2", "--port", str(port)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        _wait_up(f"http://127.0.0.1:{port}", process)
        products = httpx.get(f"http://127.0.0.1:{port}/api/v1/products", timeout=10)
        assert products.status_code == 200
    finally:
        output = _stop(process)
    assert output.count("Application startup complete") == 2, output
