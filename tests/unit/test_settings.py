"""Settings: documented, and insecure ones refused outside demo mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from c2m.settings import INSECURE_SECRET_KEY, InsecureSettingsError, Settings

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
