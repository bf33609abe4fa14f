"""`c2m db seed-demo` puts the demo into any database, `c2m user token` gives a script its key."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import ColumnElement, create_engine, func, select
from sqlalchemy.orm import InstrumentedAttribute
from typer.testing import CliRunner

from c2m.bootstrap import build_platform
from c2m.cli.main import app
from c2m.demo.seed import DEMO_LOGINS, SHOPPER_NAMES
from c2m.domains.catalog.models import Product
from c2m.domains.factory.models import Machine
from c2m.domains.platform.models import ApiToken, User
from c2m.web.app import create_app
from tests.conftest import make_settings

runner = CliRunner()


def _count(url: str, column: InstrumentedAttribute[str], *where: ColumnElement[bool]) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count(column)).where(*where)).scalar_one()
    engine.dispose()
    return int(count)


def test_seed_demo_fills_a_migrated_database_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("C2M_DATABASE_URL", database_url)
    first = runner.invoke(app, ["db", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "alice@c2m.example" in first.output
    assert "(new)" in first.output
    products, machines = _count(database_url, Product.id), _count(database_url, Machine.id)
    assert products >= 4
    assert machines == 17  # the digital twin's factory
    shoppers = _count(database_url, User.id, User.email.endswith("@shoppers.c2m.example"))
    assert shoppers == len(SHOPPER_NAMES)
    unpriced = _count(database_url, Machine.id, Machine.hourly_rate == 0)
    assert unpriced == 0, "a demo machine's hours would cost nothing in the ledger"
    again = runner.invoke(app, ["db", "seed-demo"])
    assert again.exit_code == 0, again.output
    assert "(kept from last time)" in again.output
    assert (_count(database_url, Product.id), _count(database_url, Machine.id)) == (
        products,
        machines,
    )
    assert _count(database_url, User.id) == len(DEMO_LOGINS) + len(SHOPPER_NAMES)


def test_a_printed_token_opens_the_api_for_its_owner(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("C2M_DATABASE_URL", database_url)
    assert runner.invoke(app, ["db", "seed-demo"]).exit_code == 0
    made = runner.invoke(app, ["user", "token", "Alice@C2M.example", "--name", "nightly export"])
    assert made.exit_code == 0, made.output
    secret = made.output.strip()
    assert len(secret.splitlines()) == 1
    platform = build_platform(make_settings(database_url, tmp_path))
    try:
        with TestClient(create_app(platform, run_background=False)) as client:
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    finally:
        platform.shutdown()
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "alice@c2m.example"
    assert _count(database_url, ApiToken.id) == 1


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["user", "token", "nobody@c2m.example", "--name", "x"], "no account"),
        (["user", "token", "alice@c2m.example", "--name", " "], "name"),
    ],
)
def test_token_mistakes_are_one_sentence(
    database_url: str, monkeypatch: pytest.MonkeyPatch, args: list[str], sentence: str
) -> None:
    monkeypatch.setenv("C2M_DATABASE_URL", database_url)
    assert runner.invoke(app, ["db", "seed-demo"]).exit_code == 0
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert sentence in result.output.lower()
