"""Issue 13: logging set up in one place; every line about a request carries the request's id."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from c2m.bootstrap import Platform
from c2m.kernel.logs import REQUEST_ID, configure_logging
from c2m.web.app import create_app
from tests.conftest import free_port


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Where configure_logging writes during the test; the loggers are put back afterwards."""
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "amqtt")
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate)
        for name in names
        for logger in [logging.getLogger(name)]
    }
    yield io.StringIO()
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


def test_the_id_is_taken_or_made_and_returned(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "phone-42.a:b_c"})
    assert given.headers["x-request-id"] == "phone-42.a:b_c"
    made = client.get("/healthz").headers["x-request-id"]
    assert made
    assert made != client.get("/healthz").headers["x-request-id"]
    forged = client.get("/healthz", headers={"X-Request-ID": "x\tINFO fake line"})
    assert forged.headers["x-request-id"] != "x\tINFO fake line"


def test_json_lines_parse_and_the_access_log_carries_the_request_id(
    platform: Platform, log_stream: io.StringIO
) -> None:
    configure_logging("INFO", "json", stream=log_stream)
    port = free_port()
    config = uvicorn.Config(
        create_app(platform, run_background=False), port=port, log_config=None, log_level="info"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        deadline = time.monotonic() + 15
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        answer = httpx.get(url, headers={"X-Request-ID": "req-7"}, timeout=5)
        assert answer.headers["x-request-id"] == "req-7"
        logging.getLogger("c2m.test").warning("outside any request")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert access
    assert access[0]["request_id"] == "req-7"
    assert "GET /healthz" in access[0]["message"]
    outside = [line for line in lines if line["logger"] == "c2m.test"]
    assert [line["level"] for line in outside] == ["WARNING"]
    assert "request_id" not in outside[0]


def test_human_lines_have_time_level_and_the_request(log_stream: io.StringIO) -> None:
    configure_logging("DEBUG", "human", stream=log_stream)
    token = REQUEST_ID.set("abc123")
    try:
        logging.getLogger("c2m.test").info("planned")
    finally:
        REQUEST_ID.reset(token)
    logging.getLogger("c2m.test").debug("later")
    first, second = log_stream.getvalue().splitlines()
    assert first.endswith("INFO    c2m.test: planned [request abc123]")
    assert first[:4].isdigit()  # it starts with the date
    assert second.endswith("DEBUG   c2m.test: later")
