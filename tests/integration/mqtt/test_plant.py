"""Issue 14, acceptance 1 and 2: the plant as a deployment runs it. Real PostgreSQL, the real
Mosquitto and real subprocesses: two ``c2m serve``, two ``c2m worker`` and one ``c2m twin`` of two
plants at high speed. Sixty orders are placed and paid across both web processes; the worker
leading one factory is SIGKILLed mid-run and the other takes that factory over within 10 s; a web
process is SIGKILLed later and its live subscribers carry on at the other with ``Last-Event-ID``.
Every order is delivered; no operation ran twice at once, no machine held two operations at once;
every timeline is complete, ordered and gap-free, and every subscriber saw all of it, in order.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench.harness import fresh_database
from bench.plant import Follower, Plant, delivered, place_and_pay, running, seed_plant
from sqlalchemy import create_engine, func, select

from c2m.domains.factory.models import JobAttempt, Machine
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.planning.models import Operation
from c2m.domains.traceability.models import Unit
from c2m.kernel.mqtt import BrokerConnection
from tests.factory_support import MAIN_LINE

ORDERS = 60
NEVER = datetime.max.replace(tzinfo=UTC)  # not ended: open to the end of time
KILL_WORKER_AT = 20
KILL_WEB_AT = 40
TAKEOVER_S = 10.0

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("plants")]  # one whole plant at a time


@pytest.fixture
def plant_database(postgres_server_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own: its LISTEN channel and leases are not shared."""
    with fresh_database("postgresql", tmp_path) as url:
        yield url


def _overlaps(spans: list[tuple[datetime, datetime]]) -> bool:
    ordered = sorted(spans)
    return any(start < end for (_, end), (start, _) in itertools.pairwise(ordered))


def test_two_web_two_workers_survive_sigkills(
    plant_database: str, plant_broker: BrokerConnection, tmp_path: Path
) -> None:
    seeded = seed_plant(plant_database, tmp_path)
    plant = Plant(
        plant_database, tmp_path, seeded, mqtt_url=f"mqtt://127.0.0.1:{plant_broker.port}"
    )
    followers: list[Follower] = []
    threads: list[threading.Thread] = []
    placed_on: dict[str, int] = {}
    with running(plant):
        leaders = plant.wait_for_leaders()
        assert len(set(leaders.values())) == 2, f"each worker leads one factory: {leaders}"
        web_a, web_b = (server.url for server in plant.servers)
        deadline = time.monotonic() + 420
        takeover_s = None
        for number in range(ORDERS):
            shop = seeded.shops[number % 2]
            token = seeded.customers[number % len(seeded.customers)]
            here = 0 if number < KILL_WEB_AT and number % 2 == 0 else 1
            template = shop.template_ids[number // 2 % len(shop.template_ids)]
            order_id, _ = place_and_pay(plant.servers[here].url, token, template)
            placed_on[order_id] = here
            # Followed at the other web process: placed on A, watched on B, and the reverse.
            urls = [web_b, web_a] if here == 0 else [web_a, web_b]
            follower = Follower(order_id, token, urls)
            thread = threading.Thread(target=follower.follow, args=(delivered, deadline))
            thread.start()
            followers.append(follower)
            threads.append(thread)
            if number == KILL_WORKER_AT:
                victim_factory = seeded.shops[0].factory_code
                victim = leaders[victim_factory]
                plant.worker(victim).kill()
                killed = time.monotonic()
                while takeover_s is None and time.monotonic() - killed < 30:
                    holder, _, left = plant.leaders()[victim_factory]
                    if holder != victim and left > 0:
                        takeover_s = time.monotonic() - killed
                    time.sleep(0.05)
            if number == KILL_WEB_AT:
                plant.servers[0].kill()
            time.sleep(0.2)
        for thread in threads:
            thread.join(max(1.0, deadline - time.monotonic()))

    assert takeover_s is not None, "nobody took the dead leader's factory over in 30 s"
    assert takeover_s < TAKEOVER_S
    engine = create_engine(plant_database)
    with engine.connect() as conn:
        states = dict(conn.execute(select(Order.id, Order.state)).all())
        events: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
        for order_id, seq, kind, state in conn.execute(
            select(OrderEvent.order_id, OrderEvent.seq, OrderEvent.type, OrderEvent.state).order_by(
                OrderEvent.order_id, OrderEvent.seq
            )
        ):
            events[order_id].append((seq, kind, state))
        attempts = conn.execute(
            select(JobAttempt.operation_id, JobAttempt.started_at, JobAttempt.ended_at).where(
                JobAttempt.started_at.is_not(None)
            )
        ).all()
        units = Counter(conn.execute(select(Unit.order_id)).scalars())
        serials = conn.execute(select(Unit.serial)).scalars().all()
        pieces = dict(
            conn.execute(
                select(OrderLine.order_id, func.sum(OrderLine.quantity)).group_by(
                    OrderLine.order_id
                )
            ).all()
        )
        operations = conn.execute(
            select(Operation.machine_id, Operation.started_at, Operation.finished_at).join(
                Machine, Machine.id == Operation.machine_id
            )
        ).all()
    engine.dispose()

    assert len(placed_on) == ORDERS
    assert {states[order_id] for order_id in placed_on} == {"delivered"}, states
    for order_id in placed_on:
        timeline = events[order_id]
        assert [seq for seq, _, _ in timeline] == list(range(1, len(timeline) + 1))
        reached = [state for _, kind, state in timeline if kind == state and state in MAIN_LINE]
        assert [s for s in MAIN_LINE if s in reached] == MAIN_LINE, order_id
        assert reached == sorted(reached, key=MAIN_LINE.index), order_id

    # Serials are made by the workers' event handlers, through kills and takeovers: once each.
    assert {o: units[o] for o in placed_on} == {o: pieces[o] for o in placed_on}
    assert len(serials) == len(set(serials))

    by_operation: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for operation_id, started, ended in attempts:
        by_operation[operation_id].append((started, ended or NEVER))
    assert not [op for op, spans in by_operation.items() if _overlaps(spans)]
    by_machine: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for machine_id, started, finished in operations:
        if started is not None:
            by_machine[machine_id].append((started, finished or NEVER))
    assert not [m for m, spans in by_machine.items() if _overlaps(spans)]

    for follower in followers:
        seqs = [event["seq"] for event in follower.events]
        assert follower.error is None, follower.error
        assert seqs == [seq for seq, _, _ in events[follower.order_id]], follower.order_id
    moved = [f for f in followers if placed_on[f.order_id] == 1 and f.reconnects]
    assert moved, "some subscribers of the killed web process reconnected to the other one"
