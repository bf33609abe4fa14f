"""A real OctoPrint with its bundled virtual printer, for the agent's tests.

OctoPrint's pins conflict with ours, so it runs from an environment of its own:
``uv tool run --from octoprint==VERSION`` (the first run downloads it from PyPI). Its base
directory is prepared so that it starts set up: access control with one admin whose API key the
test knows, the first-run wizard done, the virtual printer enabled; the test connects it.
Without uv or the network the tests skip, unless ``C2M_REQUIRE_OCTOPRINT=1`` (CI) fails them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

VERSION = "1.11.8"
START_S = 600.0
"""The first start downloads OctoPrint and its 70-odd packages; later ones take ~15 s."""
REQUIRED = os.environ.get("C2M_REQUIRE_OCTOPRINT") == "1"
CONFIG = """\
server:
  firstRun: false
  onlineCheck: {enabled: false}
  pluginBlacklist: {enabled: false}
plugins:
  virtual_printer: {enabled: true}
  tracking: {enabled: false}
  errortracking: {enabled: false}
  softwareupdate: {check_overlay_url: ""}
"""
USERS = """\
_version: 2
maker:
  active: true
  apikey: {key}
  groups: [admins, users]
  password: "not a hash: nobody logs in with a password here"
  permissions: []
  settings: {{}}
"""


@dataclass(frozen=True)
class OctoPrintServer:
    url: str
    api_key: str
    log: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-Api-Key": self.api_key}, timeout=30)


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} and C2M_REQUIRE_OCTOPRINT=1")
    pytest.skip(reason)


@contextmanager
def octoprint(basedir: Path) -> Iterator[OctoPrintServer]:
    """OctoPrint on a free port with the virtual printer connected, for the block's length."""
    uv = shutil.which("uv")
    if uv is None:
        _unavailable("no uv to run OctoPrint with")
    assert uv is not None
    basedir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    (basedir / "config.yaml").write_text(CONFIG)
    (basedir / "users.yaml").write_text(USERS.format(key=key))
    port, log = free_port(), basedir / "octoprint.log"
    command = [uv, "tool", "run", "--from", f"octoprint=={VERSION}", "octoprint", "serve"]
    command += ["--iknowwhatimdoing", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--basedir", str(basedir)]
    server = OctoPrintServer(f"http://127.0.0.1:{port}", key, log)
    with log.open("wb") as out:
        # its own folder: the project's uv settings (no Python downloads) are not OctoPrint's
        process = subprocess.Popen(command, cwd=basedir, stdout=out, stderr=subprocess.STDOUT)
    try:
        with server.client() as http:
            _wait_until_up(http, process, log)
            connected = http.post("/api/connection", json={"command": "connect", "port": "VIRTUAL"})
            assert connected.status_code == 204, connected.text
            _wait(lambda: http.get("/api/printer").status_code == 200, "the virtual printer", log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(http: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _unavailable(f"OctoPrint {VERSION} did not start:\n{_tail(log)}")
        try:
            if http.get("/api/version").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"OctoPrint did not answer within {START_S:.0f} s:\n{_tail(log)}")


def _wait(check: Callable[[], bool], what: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}\n{_tail(log)}")
        time.sleep(0.2)


def _tail(log: Path, lines: int = 60) -> str:
    text = log.read_text(errors="replace") if log.exists() else "(no output)"
    return "\n".join(text.splitlines()[-lines:])
