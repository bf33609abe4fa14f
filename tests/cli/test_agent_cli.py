"""``c2m agent``: a maker's mistake is one sentence and exit status 2, before anything connects."""

from __future__ import annotations

import pytest

from tests.cli.test_cli_errors import _refused
from tests.conftest import free_port

BASE = ["agent", "--factory", "home", "--machine", "prusa-1", "--secret", "s3cret"]
BASE += ["--platform", "https://c2m.example", "--api-key", "k", "--url", "mqtt://127.0.0.1:1"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (["--factory", "my/home"], "cannot be an MQTT topic level"),
        (["--capability", "laser"], "Unknown capability 'laser'"),
        (["--platform", "c2m.example"], "--platform 'c2m.example' is not an address"),
        (["--url", "http://bus"], "is not a broker address"),
        (["--printer-url", f"http://127.0.0.1:{free_port()}"], "does not answer"),
        (["--slicer-profile", "/nowhere/mk4.ini"], "/nowhere/mk4.ini is not a file; export"),
        (
            ["--printer", "moonraker", "--printer-url", f"http://127.0.0.1:{free_port()}"],
            "does not answer",
        ),
    ],
)
def test_a_wrong_setting_is_one_sentence(change: list[str], says: str) -> None:
    assert says in _refused([*BASE, *change])


def test_without_a_broker_it_says_how_to_name_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("C2M_MQTT_URL", raising=False)
    args = [a for a in BASE if a not in ("--url", "mqtt://127.0.0.1:1")]
    assert "--url mqtts://host:8883" in _refused(args)


def test_octoprint_without_its_key_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("C2M_AGENT_API_KEY", raising=False)
    args = [a for a in BASE if a not in ("--api-key", "k")]
    assert "OctoPrint needs its API key" in _refused(args)
