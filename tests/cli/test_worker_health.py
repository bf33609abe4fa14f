"""A ``c2m worker`` (a real process) whose database or broker is away keeps trying, says so in
one log line per attempt, and its ``/readyz`` says why it is not ready; a healthy one is ready."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from bench import harness

from tests.conftest import free_port

STARTUP_S = 120.0  # a loaded machine takes a while to import c2m


class Worker:
    """``c2m worker`` in a process of its own, its log in a file."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.log = tmp_path / "worker.log"
        variables = {
            **os.environ,
            "C2M_SECRET_KEY": secrets.token_urlsafe(40),
            "C2M_DATA_DIR": str(tmp_path),
            "C2M_WORKER_HEALTH_PORT": str(self.port),
            "C2M_WORKER_ID": f"health-{secrets.token_hex(3)}",
            **env,
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "c2m.cli.main", "worker"],
                env=variables,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def until(self, what: str, holds: Callable[[], bool], timeout: float = STARTUP_S) -> None:
        deadline = time.monotonic() + timeout
        while not holds():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"never happened: {what}\n{self.text()}")
            time.sleep(0.2)

    def ready(self) -> httpx.Response:
        """``/readyz`` once the worker answers it."""
        answers: list[httpx.Response] = []

        def answered() -> bool:
            try:
                answers.append(httpx.get(self.url + "/readyz", timeout=10))
            except httpx.HTTPError:
                return False
            return True

        self.until("/readyz answered", answered)
        return answers[-1]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def lines_with(text: str, words: str) -> list[str]:
    return [line for line in text.splitlines() if words in line]


def test_a_worker_waits_for_its_database_and_says_why(
    tmp_path: Path, workers: list[Worker]
) -> None:
    port = free_port()  # nothing listens there
    worker = Worker(tmp_path, C2M_DATABASE_URL=f"postgresql+psycopg://c2m@127.0.0.1:{port}/c2m")
    workers.append(worker)
    worker.until(
        "two attempts logged",
        lambda: len(lines_with(worker.text(), "the database is not reachable")) >= 2,
    )
    attempt = lines_with(worker.text(), "the database is not reachable")[0]
    assert "WARNING" in attempt
    assert "Connection refused" in attempt
    assert attempt.endswith("trying again in 2 s")  # the whole reason on one line
    answer = worker.ready()
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    detail = answer.json()["detail"]
    assert detail.startswith("The database is not reachable: ")
    assert f"port {port} failed: Connection refused" in detail
    assert httpx.get(worker.url + "/livez", timeout=10).status_code == 200
    assert worker.process.poll() is None  # still trying


@pytest.fixture
def own_mosquitto(tmp_path: Path) -> Iterator[int]:
    """A Mosquitto of this test's own on a free port (its sessions die with it)."""
    with harness.own_mosquitto(tmp_path) as port:
        yield port


def test_a_worker_waits_for_its_broker_and_says_why(
    tmp_path: Path, workers: list[Worker], postgres_server_url: str
) -> None:
    port = free_port()
    worker = Worker(
        tmp_path, C2M_DATABASE_URL=postgres_server_url, C2M_MQTT_URL=f"mqtt://127.0.0.1:{port}"
    )
    workers.append(worker)
    says = f"no connection to mqtt://127.0.0.1:{port}"
    worker.until("two attempts logged", lambda: len(lines_with(worker.text(), says)) >= 2)
    assert "trying again in" in lines_with(worker.text(), says)[0]
    answer = worker.ready()
    assert answer.status_code == 503
    problem = answer.json()
    assert [error["check"] for error in problem["errors"]] == ["broker"]
    assert problem["detail"].startswith(f"No connection to mqtt://127.0.0.1:{port}")


def test_a_healthy_worker_is_ready_and_serves_metrics(
    tmp_path: Path, workers: list[Worker], postgres_server_url: str, own_mosquitto: int
) -> None:
    worker = Worker(
        tmp_path,
        C2M_DATABASE_URL=postgres_server_url,
        C2M_MQTT_URL=f"mqtt://127.0.0.1:{own_mosquitto}",
    )
    workers.append(worker)
    worker.until("the worker runs", lambda: "is running" in worker.text())

    def ready() -> bool:
        return worker.ready().status_code == 200

    worker.until("ready", ready, timeout=30)
    assert worker.ready().json() == {
        "status": "ready",
        "checks": {"database": "ok", "schema": "ok", "outbox": "ok", "broker": "ok"},
    }
    metrics = httpx.get(worker.url + "/metrics", timeout=10).text
    assert 'c2m_orders{state="paid"}' in metrics
    assert "c2m_ingest_messages_received_total" in metrics
    assert worker.stop() == 0
    assert "c2m worker stopped." in worker.text()


def test_a_chosen_health_port_that_is_taken_is_refused(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "c2m.cli.main", "worker", "--health-port", str(port)],
            env={
                **os.environ,
                "C2M_SECRET_KEY": secrets.token_urlsafe(40),
                "C2M_DATA_DIR": str(tmp_path),
            },
            capture_output=True,
            text=True,
            timeout=STARTUP_S,
        )
    assert result.returncode == 2
    assert f"Cannot serve the worker's health on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
