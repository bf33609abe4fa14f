"""Whatever order and however often the bus delivers a job's messages, the attempt ends where
its most advanced message puts it, and never moves backwards on the way."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fac_support import Plant, attempt, build_plant, command, feed, raw
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import make_settings

from c2m.bootstrap import Platform, build_platform
from c2m.domains.factory.ingest import Ingest
from c2m.domains.factory.models import AttemptStatus
from c2m.domains.platform import service as accounts
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.schemas import SignUp
from c2m.migrations import upgrade

LIFECYCLE = [
    ("accepted", {}),
    ("started", {}),
    ("progress", {"percent": 25}),
    ("progress", {"percent": 50}),
    ("progress", {"percent": 75}),
    ("done", {"outcome": "pass"}),
]


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, Plant]]:
    path: Path = tmp_path_factory.mktemp("props")
    url = f"sqlite:///{path / 'c2m.sqlite3'}"
    upgrade(url)
    platform = build_platform(make_settings(url, path))
    with platform.db.write() as session:
        owner = accounts.create_user(
            session, SignUp(email="o@example.com", name="O", password=secrets.token_hex(8))
        )
        enterprise = accounts.create_enterprise(session, "Props", "props", owner)
        session.refresh(owner)
        actor = Actor.of(owner)
    yield platform, build_plant(platform, actor, enterprise.id, "props", "m1")
    platform.shutdown()


@settings(max_examples=60, deadline=None)
@given(
    order=st.lists(st.integers(0, len(LIFECYCLE) - 1), min_size=1, max_size=12),
    batch=st.integers(1, 4),
)
def test_job_messages_in_any_order_settle_on_the_most_advanced(
    plant: tuple[Platform, Plant], order: list[int], batch: int
) -> None:
    platform, factory = plant
    ingest = Ingest(lease_s=600)
    attempt_id = command(platform, factory.machines["m1"])
    messages = [
        raw(
            "props",
            "m1",
            f"job/op1/{LIFECYCLE[i][0]}",
            {"attempt_id": attempt_id, **LIFECYCLE[i][1]},
        )
        for i in order
    ]
    ranks = []
    for start in range(0, len(messages), batch):
        feed(platform, ingest, *messages[start : start + batch])
        seen = attempt(platform, attempt_id)
        ranks.append((seen.status.rank, seen.percent))
    assert ranks == sorted(ranks)  # never backwards
    furthest = max(order)
    final = attempt(platform, attempt_id)
    expected = {0: AttemptStatus.ACCEPTED, 5: AttemptStatus.DONE}.get(
        furthest, AttemptStatus.STARTED
    )
    assert final.status is expected
    percents = [LIFECYCLE[i][1].get("percent", 0) for i in order]
    assert final.percent == (100 if furthest == 5 else max(percents))
