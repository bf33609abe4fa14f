"""The machine bus's settings (C2M_MQTT_*): a combination that cannot work is one sentence and exit
status 2 before anything connects (tests/integration/mqtt/test_secure_bus.py runs good ones)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from c2m.cli.main import app

runner = CliRunner()
PEM = "-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"URL": "ws://broker:1883"}, "is not a broker address; write it as mqtt://host:1883"),
        ({"URL": "mqtts://"}, "is not a broker address"),
        (
            {"URL": "mqtts://c2m:hunter2@broker"},
            "C2M_MQTT_URL carries a user name or password; set C2M_MQTT_USERNAME and",
        ),
        ({"USERNAME": "c2m"}, "C2M_MQTT_USERNAME applies to a broker named by C2M_MQTT_URL"),
        (
            {"URL": "mqtts://broker", "PASSWORD": "hunter2"},
            "C2M_MQTT_PASSWORD is set but C2M_MQTT_USERNAME is not.",
        ),
        (
            {"URL": "mqtt://broker:1883", "CA_FILE": "{pem}"},
            "C2M_MQTT_CA_FILE is for TLS; write C2M_MQTT_URL as mqtts://broker:8883.",
        ),
        (
            {"URL": "mqtts://broker", "CLIENT_CERT": "{pem}"},
            "C2M_MQTT_CLIENT_CERT and C2M_MQTT_CLIENT_KEY go together; set both or neither.",
        ),
        (
            {"URL": "mqtts://broker", "CA_FILE": "{dir}/missing.pem"},
            "C2M_MQTT_CA_FILE '{dir}/missing.pem' is not a file.",
        ),
        (
            {"URL": "mqtts://broker", "CA_FILE": "{pem}"},
            "The TLS files in C2M_MQTT_CA_FILE cannot be used (PEM, the key not encrypted):",
        ),
    ],
)
def test_a_bus_setting_that_cannot_work_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, given: dict[str, str], says: str
) -> None:
    pem = tmp_path / "file.pem"
    pem.write_text(PEM)
    for name, value in given.items():
        monkeypatch.setenv(f"C2M_MQTT_{name}", value.format(pem=pem, dir=tmp_path))
    result = runner.invoke(app, ["twin"])
    assert result.exit_code == 2, result.output
    assert says.format(dir=tmp_path) in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "hunter2" not in result.output
