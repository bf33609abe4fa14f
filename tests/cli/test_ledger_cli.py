"""``c2m ledger``: the trial balance of a platform after a paid order, the chain check, the
exports, and a sentence with exit code 2 when the chain was tampered with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from beancount import loader
from typer.testing import CliRunner

from c2m.bootstrap import Platform
from c2m.cli.main import app
from c2m.domains.orders import service
from c2m.domains.orders.schemas import NewLine, NewOrder, Pay
from tests.conftest import World, place_order
from tests.integration.test_ledger import around_the_guards

runner = CliRunner()


@pytest.fixture
def paid(platform: Platform, world: World, monkeypatch: pytest.MonkeyPatch) -> str:
    """A platform where Alice paid 2 stools (90.00 EUR), with the ledger posted."""
    monkeypatch.setenv("C2M_DATABASE_URL", platform.settings.sqlalchemy_url)
    data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=2)])
    with platform.db.write() as session:
        order = place_order(session, world.alice.actor, data)
    with platform.db.write() as session:
        service.pay(
            session, world.alice.actor, order.id, Pay(payment_method="test-ok"), platform.payments
        )
    while platform.relay.relay_once():
        pass
    return order.id


def test_trial_balance_as_json_after_a_paid_order(paid: str, world: World) -> None:
    result = runner.invoke(app, ["ledger", "trial-balance", "--json"])
    assert result.exit_code == 0, result.output
    balance = json.loads(result.output)
    assert balance["balanced"] is True
    assert balance["totals"] == [
        {"currency": "EUR", "minor": 0, "amount": "0.00", "formatted": "€0.00"}
    ]
    by_type = {row["type"]: row["amount"] for row in balance["types"]}
    assert by_type == {"Assets": "90.00", "Income": "-9.00", "Liabilities": "-81.00"}
    accounts = {row["account"]: row["formatted"] for row in balance["accounts"]}
    assert accounts[f"Liabilities:Enterprises:{world.enterprise_a.id.upper()}"] == "-€81.00"
    table = runner.invoke(app, ["ledger", "trial-balance"])
    assert table.exit_code == 0, table.output
    assert "€90.00" in table.output


def test_verify_and_exports(paid: str, tmp_path: Path) -> None:
    verified = runner.invoke(app, ["ledger", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "1 transactions checked; head " in verified.output
    target = tmp_path / "books.beancount"
    exported = runner.invoke(
        app, ["ledger", "export", "--format", "beancount", "--output", str(target)]
    )
    assert exported.exit_code == 0, exported.output
    _, errors, _ = loader.load_file(str(target))
    assert errors == []
    csv = runner.invoke(app, ["ledger", "export", "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    assert csv.output.splitlines()[0].startswith("seq,transaction,time,kind")
    assert len(csv.output.splitlines()) == 4  # header and three postings


def test_verify_names_the_tampered_transaction(paid: str, platform: Platform) -> None:
    with around_the_guards(platform.settings.sqlalchemy_url) as conn:
        conn.execute("UPDATE ledger_postings SET amount = amount * 2")  # type: ignore[attr-defined]
    result = runner.invoke(app, ["ledger", "verify"])
    assert result.exit_code == 2
    assert "The ledger was tampered with at transaction" in result.output
    assert "no longer match its hash" in result.output
    assert "Traceback" not in result.output


def test_an_unwritable_export_file_is_a_sentence(paid: str, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir.csv"
    result = runner.invoke(app, ["ledger", "export", "--format", "csv", "--output", str(missing)])
    assert result.exit_code == 2
    assert "Cannot write" in result.output
