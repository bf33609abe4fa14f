"""Acceptance 2 of the spine: SIGKILL the real server at random moments while clients submit
orders with Idempotency-Keys; no order is lost or doubled, no timeline has a gap, no outbox row
is lost. The trial itself lives in bench/crash_client.py so it also runs by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.crash_client import check_database, run_crash_trial
from sqlalchemy import create_engine, delete, select

from c2m.kernel.outbox import OutboxMessage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("plants")]  # one whole plant at a time


def test_orders_survive_sigkill(database_url: str, tmp_path: Path) -> None:
    report = run_crash_trial(database_url, tmp_path, orders=100, clients=6, seed_value=2024)

    assert report.kills >= 3, "the trial must actually kill the server several times"
    assert report.starts == report.kills + 1
    assert report.problems == []
    assert len(report.submissions) == 100
    assert all(
        s.placed_status is not None and 200 <= s.placed_status < 300 for s in report.submissions
    )
    assert report.pending_outbox == 0

    # The checker is not blind: losing one outbox row is reported.
    engine = create_engine(database_url)
    with engine.begin() as conn:
        victim = conn.execute(select(OutboxMessage.id).limit(1)).scalar_one()
        conn.execute(delete(OutboxMessage).where(OutboxMessage.id == victim))
    engine.dispose()
    problems, _ = check_database(database_url, report.submissions)
    assert any("has no outbox row" in p for p in problems)
