"""``c2m passport verify``: a passport checked against the platform's published keys (its
did.json, served by the platform), a one-line summary and exit 0 when it holds, the reason and
exit 2 when it does not; ``rotate-key`` keeps earlier passports verifiable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from c2m.cli.main import app
from c2m.domains.traceability.keys import KeyRing, did_web
from c2m.engines.credentials import Issuer, credential, sign
from c2m.engines.credentials.linked_data import dpp_context_url
from tests.conftest import LiveServer
from tests.unit.credentials.test_passport_proof import FACTS

runner = CliRunner()


def issue(data_dir: Path, base_url: str) -> dict[str, Any]:
    """A passport signed with the platform's current key, as the platform issues them."""
    ring, did = KeyRing.open(data_dir), did_web(base_url)
    unsigned = credential(
        FACTS, Issuer(did, "c2m", dpp_context_url(base_url)), "2026-12-07T10:00:00+00:00"
    )
    return sign(unsigned, ring.current.private, f"{did}#{ring.current.id}", "2026-12-07T10:00:00Z")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_passport_verifies_against_the_platforms_published_keys_and_a_change_fails(
    live_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = live_server.platform.settings
    keys = f"{live_server.url}/.well-known/did.json"
    passport = tmp_path / "passport.json"
    passport.write_text(json.dumps(issue(settings.data_dir, settings.base_url)))

    held = runner.invoke(app, ["passport", "verify", str(passport), "--did-document", keys])
    assert held.exit_code == 0, held.output
    assert "valid: Customizable refrigerator 01-0001" in held.output

    changed = json.loads(passport.read_text())
    changed["credentialSubject"]["product"]["countryOfProduction"] = "FR"
    passport.write_text(json.dumps(changed))
    refused = runner.invoke(app, ["passport", "verify", str(passport), "--did-document", keys])
    assert refused.exit_code == 2
    assert "does not verify: the signature does not match" in refused.output
    assert "Traceback" not in refused.output

    older = tmp_path / "older.json"
    older.write_text(json.dumps(issue(settings.data_dir, settings.base_url)))
    monkeypatch.setenv("C2M_DATA_DIR", str(settings.data_dir))
    rotated = runner.invoke(app, ["passport", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    assert "key-2" in rotated.output
    still = runner.invoke(app, ["passport", "verify", str(older), "--did-document", keys])
    assert still.exit_code == 0, still.output
    assert "with key-1" in still.output


def test_a_file_that_is_not_a_passport_gets_one_sentence(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    result = runner.invoke(app, ["passport", "verify", str(junk)])
    assert result.exit_code == 2
    assert "is not JSON" in result.output
    missing = runner.invoke(app, ["passport", "verify", str(tmp_path / "nowhere.json")])
    assert missing.exit_code == 2
    assert "Cannot read the passport" in missing.output
