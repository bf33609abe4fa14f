"""Settings: documented, and insecure ones refused outside demo mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from c2m.settings import (
    INSECURE_SECRET_KEY,
    InsecureSettingsError,
    Settings,
    SettingsError,
    load_settings,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text()
    for name in Settings.model_fields:
        assert f"`C2M_{name.upper()}`" in text, f"C2M_{name.upper()} is missing from {DOC.name}"


@pytest.mark.parametrize("key", [INSECURE_SECRET_KEY, "short"])
def test_insecure_secret_is_refused_outside_demo(key: str) -> None:
    with pytest.raises(InsecureSettingsError, match="C2M_SECRET_KEY"):
        Settings(secret_key=key, demo=False).check_secure()
    Settings(secret_key=key, demo=True).check_secure()


def test_sqlite_is_the_default_database(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path.resolve() / 'c2m.sqlite3'}"


def test_a_wrong_value_names_its_variable_and_hides_secrets() -> None:
    with pytest.raises(SettingsError, match=r"C2M_SESSION_DAYS \('abc'\) must be a whole number"):
        load_settings(session_days="abc")
    with pytest.raises(SettingsError, match="C2M_DATABASE_URL is not valid") as refused:
        load_settings(database_url="garbage://user:hunter2@host/db")
    assert "hunter2" not in str(refused.value)


def test_log_settings_in_any_case() -> None:
    settings = load_settings(log_level="debug", log_format="JSON")
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
