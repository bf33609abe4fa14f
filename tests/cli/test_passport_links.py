"""``c2m passport verify`` follows the passport's links (the unit, its model, the context it
names, the issuer's keys) against a real server whose base URL the links carry: exit 0 and one
line when they resolve, exit 2 naming the broken one; a file with the issuer's did.json verifies
with no network at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from c2m.bootstrap import Platform, build_platform
from c2m.cli.main import app
from c2m.domains.traceability.keys import KeyRing, did_web
from c2m.domains.traceability.models import Unit
from c2m.domains.traceability.passports import load_unit
from c2m.engines.credentials import Issuer, credential, sign
from c2m.engines.credentials.linked_data import dpp_context_url
from tests.conftest import LiveServer, World, free_port, make_settings, serving
from tests.integration.test_units import start, started_work

runner = CliRunner()
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def platform(database_url: str, tmp_path: Path) -> Iterator[Platform]:
    """A platform whose base URL is the address it will be served at, as in production."""
    base_url = f"http://127.0.0.1:{free_port()}"
    built = build_platform(make_settings(database_url, tmp_path, base_url=base_url))
    yield built
    built.shutdown()


@pytest.fixture
def served(platform: Platform) -> Iterator[LiveServer]:
    with serving(platform, urlsplit(platform.settings.base_url).port) as live:
        yield live


def a_unit(platform: Platform, world: World) -> str:
    start(platform, started_work(platform, world, 1, {"seat_colour": "teal"}))
    with platform.db.read() as session:
        return session.scalars(select(Unit.serial)).one()


def test_a_passport_url_verifies_with_its_links_and_a_file_verifies_offline(
    served: LiveServer, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = a_unit(served.platform, world)
    url = f"{served.url}/u/{serial}"

    held = runner.invoke(app, ["passport", "verify", url, "--token", world.alice.token])
    assert held.exit_code == 0, held.output
    assert held.stdout.startswith(f"valid: Stool {serial}, signed by did:web:127.0.0.1")
    assert held.stdout.rstrip().endswith("its 3 links resolve")  # unit, context, keys
    assert len(held.stdout.strip().splitlines()) == 1  # logs of other tests go to stderr

    anonymous = runner.invoke(app, ["passport", "verify", url])
    assert anonymous.exit_code == 2
    assert "answered 403 for the passport" in anonymous.output

    passport, keys = tmp_path / "passport.json", tmp_path / "did.json"
    headers = {"Accept": "application/json", **world.alice.headers}
    passport.write_text(httpx.get(url, headers=headers).text)
    keys.write_text(httpx.get(f"{served.url}/.well-known/did.json").text)

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("an offline verification used the network")

    with monkeypatch.context() as offline:
        offline.setattr(httpx, "get", no_network)
        alone = runner.invoke(
            app, ["passport", "verify", str(passport), "--did-document", str(keys)]
        )
    assert alone.exit_code == 0, alone.output
    assert "links" not in alone.stdout

    linked = runner.invoke(app, ["passport", "verify", str(passport), "--links"])
    assert linked.exit_code == 0, linked.output
    assert "its 3 links resolve" in linked.output


def test_a_broken_link_fails_verification_and_is_named(
    served: LiveServer, world: World, tmp_path: Path
) -> None:
    """A passport signed by the platform whose model is gone: the signature holds, the link
    does not."""
    platform = served.platform
    settings = platform.settings
    with platform.db.read() as session:
        record = load_unit(
            session, a_unit(platform, world), settings.base_url, settings.grid_kg_co2e_per_kwh
        )
    ring, did = KeyRing.open(settings.data_dir), did_web(settings.base_url)
    issuer = Issuer(did, "c2m", dpp_context_url(settings.base_url))

    def passport_with_model(model_url: str) -> str:
        unsigned = credential(replace(record.facts, model_url=model_url), issuer, "2026-12-07")
        signed = sign(unsigned, ring.current.private, f"{did}#{ring.current.id}", "2026-12-07")
        passport = tmp_path / "passport.json"
        passport.write_text(json.dumps(signed))
        return str(passport)

    gone = f"{served.url}/configure/withdrawn-model"
    offline = runner.invoke(app, ["passport", "verify", passport_with_model(gone), "--no-links"])
    assert offline.exit_code == 0, offline.output  # the signature and key hold
    broken = runner.invoke(app, ["passport", "verify", passport_with_model(gone), "--links"])
    assert broken.exit_code == 2
    assert f"The passport's model link {gone} is broken: it answered 404." in broken.output
    assert "Traceback" not in broken.output

    nowhere = f"http://127.0.0.1:{free_port()}/configure/stool"
    far = runner.invoke(app, ["passport", "verify", passport_with_model(nowhere), "--links"])
    assert far.exit_code == 2
    assert f"The passport's model link {nowhere} does not resolve" in far.output
