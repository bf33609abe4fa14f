"""What an orchestrator and Prometheus ask a web process: /livez, /readyz, /metrics."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from c2m.bootstrap import Platform, build_platform
from c2m.kernel.clock import utcnow
from c2m.kernel.outbox import OutboxMessage
from c2m.web.app import create_app
from tests.conftest import LiveServer, World, free_port, make_settings, place


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_livez_answers_while_the_process_runs(client: TestClient) -> None:
    answer = client.get("/livez")
    assert answer.status_code == 200
    assert answer.json() == {"status": "alive"}


def test_readyz_lists_its_checks_when_all_pass(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "status": "ready",
        "checks": {"database": "ok", "schema": "ok", "outbox": "ok"},
    }
    assert client.get("/healthz").status_code == 200  # kept for existing probes


def test_readyz_says_the_outbox_is_stuck(client: TestClient, platform: Platform) -> None:
    with platform.db.write() as session:
        stuck = utcnow() - timedelta(minutes=5)
        session.add(OutboxMessage(topic="test.stuck", payload={}, created_at=stuck))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["title"] == "Not ready"
    assert re.match(r"The outbox is 0:05:\d\d behind .*: is the relay stuck\?$", problem["detail"])
    assert [error["check"] for error in problem["errors"]] == ["outbox"]
    lag = samples(client)[("c2m_outbox_lag_seconds", ())]
    assert 299 <= lag < 400


def test_readyz_says_the_schema_is_behind(client: TestClient, platform: Platform) -> None:
    with platform.db.write() as session:
        head = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        session.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    try:
        answer = client.get("/readyz")
    finally:
        with platform.db.write() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert answer.status_code == 503
    detail = answer.json()["detail"]
    assert f"The database schema is at revision 0008, not {head}: run `c2m db upgrade`." == detail


@pytest.fixture
def web_tier(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    platform = build_platform(make_settings(database_url, tmp_path), tier="web")
    with TestClient(create_app(platform, run_background=False)) as client:
        yield client
    platform.shutdown()


def test_a_web_process_does_not_wait_on_the_outbox(web_tier: TestClient) -> None:
    """Web processes relay nothing: a stuck relay elsewhere must not take them out of service."""
    assert web_tier.get("/readyz").json()["checks"] == {"database": "ok", "schema": "ok"}


def test_metrics_count_orders_by_state(client: TestClient, world: World) -> None:
    before = samples(client)
    assert before[("c2m_orders", (("state", "placed"),))] == 0
    assert before[("c2m_orders", (("state", "delivered"),))] == 0
    for _ in range(2):
        assert place(client, world.alice, world.product_a).status_code == 201
    after = samples(client)
    assert after[("c2m_orders", (("state", "placed"),))] == 2
    assert after[("c2m_sse_subscribers", ())] == 0
    assert ("c2m_ingest_messages_received_total", ()) in after
    assert ("process_resident_memory_bytes", ()) in after


def test_metrics_count_open_live_timelines(live_server: LiveServer, world: World) -> None:
    def subscribers(http: httpx.Client) -> float:
        families = text_string_to_metric_families(http.get("/metrics").text)
        (family,) = (f for f in families if f.name == "c2m_sse_subscribers")
        return family.samples[0].value

    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        order = place(http, world.alice, world.product_a).json()
        url = f"/api/v1/orders/{order['id']}/events"
        headers = {**world.alice.headers, "Accept": "text/event-stream"}
        assert subscribers(http) == 0
        with (
            http.stream("GET", url, headers=headers) as first,
            http.stream("GET", url, headers=headers) as second,
        ):
            assert first.status_code == second.status_code == 200
            deadline = time.monotonic() + 10
            while subscribers(http) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert subscribers(http) == 2
        deadline = time.monotonic() + 10
        while subscribers(http) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert subscribers(http) == 0


def test_a_web_process_whose_database_is_away_says_so(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://c2m@127.0.0.1:{free_port()}/c2m"  # nothing listens there
    platform = build_platform(make_settings(url, tmp_path), tier="web")
    try:
        with TestClient(create_app(platform, run_background=False)) as client:
            assert client.get("/livez").status_code == 200
            answer = client.get("/readyz")
            assert client.get("/metrics").status_code == 200  # what it knows without a database
    finally:
        platform.shutdown()
    assert answer.status_code == 503
    problem = answer.json()
    assert problem["detail"].startswith("The database is not reachable: ")
    assert "Connection refused" in problem["detail"]
    assert [error["check"] for error in problem["errors"]] == ["database", "schema"]
