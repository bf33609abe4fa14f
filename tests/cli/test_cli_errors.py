"""Issue 13: a user's mistake is one sentence and exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c2m.cli.main import app
from tests.cli.test_cli import C2M

runner = CliRunner()


def _refused(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output  # one sentence
    return result.output


def test_version_comes_from_the_package_metadata() -> None:
    shown = subprocess.run([*C2M, "--version"], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == f"c2m {version('c2m')}"


def test_a_file_that_cannot_be_quoted_is_a_sentence(tmp_path: Path) -> None:
    junk = tmp_path / "random.bin"
    junk.write_bytes(b"\x00\x01 not a model")
    output = _refused(["quote", str(junk)])
    assert "Could not quote random.bin: " in output


def test_none_of_several_files_quoted_names_each(tmp_path: Path) -> None:
    junk = tmp_path / "random.bin"
    junk.write_bytes(b"\x00\x01 not a model")
    output = _refused(["quote", str(junk), str(tmp_path / "missing.stl")])
    assert "any of the 2 files" in output
    assert "random.bin: " in output
    assert "missing.stl: " in output


@pytest.mark.parametrize("args", [["serve"], ["db", "upgrade"], ["twin"], ["demo"]])
def test_a_database_url_sqlalchemy_cannot_use_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("C2M_DATABASE_URL", "garbage://")
    assert "C2M_DATABASE_URL" in _refused(args)


def test_user_create_on_a_bad_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2M_DATABASE_URL", "garbage://")
    args = ["user", "create", "--email", "a@example.com", "--name", "A", "--password", "x" * 12]
    assert "C2M_DATABASE_URL" in _refused(args)


def test_a_setting_of_the_wrong_kind_says_which_and_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2M_SESSION_DAYS", "abc")
    output = _refused(["db", "upgrade"])
    assert "C2M_SESSION_DAYS ('abc') must be a whole number" in output


def test_serve_on_a_fresh_data_directory_says_to_upgrade(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("C2M_DATA_DIR", str(fresh))
    monkeypatch.setenv("C2M_SECRET_KEY", "k" * 40)
    assert "run `c2m db upgrade` first" in _refused(["serve"])
    assert "run `c2m db upgrade` first" in _refused(
        ["user", "create", "--email", "a@example.com", "--name", "A", "--password", "x" * 12]
    )
    assert not fresh.exists()  # asking left nothing behind
