"""``c2m enterprise``: the platform owner decides on applications and an owner prints an
invitation link from a terminal; mistakes get one sentence and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c2m.bootstrap import build_platform
from c2m.cli.main import app
from c2m.domains.platform import enterprises
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.schemas import NewApplication, SignUp
from c2m.domains.platform.service import create_user
from tests.conftest import make_settings

runner = CliRunner()


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A platform owner, and Alice's waiting application; returns its id."""
    monkeypatch.setenv("C2M_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("C2M_BASE_URL", "https://c2m.example")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    platform = build_platform(make_settings("", tmp_path))
    with platform.db.write() as session:
        password = "a-long-password"
        create_user(
            session,
            SignUp(email="boss@example.com", name="Boss", password=password),
            is_platform_owner=True,
        )
        alice = create_user(
            session, SignUp(email="alice@example.com", name="Alice", password=password)
        )
        pitch = "Oak shelves made to measure."
        data = NewApplication(name="Oak & Ash", slug="oak-and-ash", pitch=pitch)
        application_id = enterprises.apply(session, Actor.of(alice), data).id
    platform.shutdown()
    return application_id


def test_the_platform_owner_approves_and_the_new_owner_invites(applied: str) -> None:
    by_boss = ["--by", "boss@example.com"]
    listed = runner.invoke(app, ["enterprise", "applications", *by_boss, "--json"])
    assert listed.exit_code == 0, listed.output
    assert [a["id"] for a in json.loads(listed.output)] == [applied]

    approved = runner.invoke(
        app, ["enterprise", "approve", applied, "--by", "boss@example.com", "--note", "Welcome"]
    )
    assert approved.exit_code == 0, approved.output
    assert "Oak & Ash is open" in approved.output
    link = runner.invoke(app, ["enterprise", "invite", "oak-and-ash", "--by", "alice@example.com"])
    assert link.exit_code == 0, link.output
    assert link.output.startswith("https://c2m.example/join/")


def test_mistakes_are_one_sentence_and_exit_code_2(applied: str) -> None:
    cases = [
        (["enterprise", "approve", applied, "--by", "alice@example.com"], "platform owner"),
        (["enterprise", "approve", "nope", "--by", "boss@example.com"], "no such application"),
        (["enterprise", "applications", "--by", "ghost@example.com"], "no account"),
        (["enterprise", "invite", "nowhere", "--by", "boss@example.com"], "no micro-enterprise"),
        (
            ["enterprise", "invite", "oak-and-ash", "--by", "boss@example.com", "--days", "90"],
            "days",
        ),
    ]
    for args, words in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output.lower(), (args, result.output)
        assert "Traceback" not in result.output
