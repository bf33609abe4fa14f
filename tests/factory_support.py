"""A digital-twin plant for tests: the twin in-process, its messages through the real ingest,
commands to it through the in-memory gateway; and paid orders to give it work."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.demo.factory import demo_factory
from c2m.domains.factory.gateway import MemoryGateway
from c2m.domains.factory.ingest import Ingest, Raw
from c2m.domains.factory.models import Factory, Machine
from c2m.domains.factory.service import Dispatch, register_plant
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.planning.models import Operation, OperationStatus, WorkOrder
from c2m.domains.planning.work_orders import open_work_order
from c2m.engines.simulation import JobCommand, Twin, TwinEvent
from c2m.kernel.clock import utcnow
from c2m.settings import Settings
from c2m.workers.production import ProductionLoop
from tests.conftest import World, pay_for, place, run_async


class Plant:
    """The twin, its outbox of messages, and the ingest that writes them."""

    def __init__(self, platform: Platform, world: World, seed: int = 3) -> None:
        self.platform = platform
        self.spec = demo_factory()
        with platform.db.write() as session:
            register_plant(session, world.enterprise_a.id, self.spec)
        self.twin = Twin(self.spec, seed=seed)
        self.messages: list[Raw] = []
        self.twin.subscribe(self._heard)
        self.ingest = Ingest(lease_s=3)  # a held attempt is given up 3 s after its last word
        self.gateway = MemoryGateway(self._deliver)
        self.twin.start()
        self.flush()

    def _heard(self, event: TwinEvent) -> None:
        self.messages.append((event.topic, json.dumps(event.payload).encode(), time.time()))

    def _deliver(self, dispatch: Dispatch) -> None:
        command = dispatch.command.model_dump()
        self.twin.submit(dispatch.machine, JobCommand.from_payload(command))

    def flush(self) -> None:
        batch, self.messages = self.messages, []
        with self.platform.db.write() as session:
            self.ingest.apply(session, batch)

    def advance(self, seconds: float) -> None:
        self.twin.run(until=self.twin.now + seconds)
        self.flush()


#: The stages a configured product's order passes on its way through the factory, in order.
MAIN_LINE = [
    "placed",
    "paid",
    "planned",
    "in_production",
    "quality_check",
    "packaging",
    "shipped",
    "delivered",
]


def timeline(platform: Platform, order_id: str) -> list[OrderEvent]:
    with platform.db.read() as session:
        query = select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.seq)
        return list(session.scalars(query))


def paid_orders(client: TestClient | httpx.Client, world: World, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        placed = place(client, world.alice, world.product_a, 2)
        order = placed.json()
        pay_for(client, world.alice, order)
        ids.append(order["id"])
    return ids


def promise(platform: Platform, order_id: str, ship_date: date) -> None:
    """As a quote records it: the line is promised to ship by ``ship_date``."""
    with platform.db.write() as session:
        for line in session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)):
            line.configuration = {**(line.configuration or {}), "ship_date": ship_date.isoformat()}


def load_machines(
    platform: Platform,
    world: World,
    client: TestClient | httpx.Client,
    capability: str,
    days: int,
) -> None:
    """The planner has filled every machine of ``capability`` in Alpha Works' factory for
    ``days`` days with another order's work."""
    order = place(client, world.bob, world.product_a, 1).json()
    now = utcnow()
    with platform.db.write() as session:
        work = other_work_order(session, world, order["id"])
        machines = select(Machine).where(Machine.factory_id == work.factory_id)
        for machine in session.scalars(machines):
            if capability in machine.capabilities:
                step = other_work(work, f"{capability}-{machine.code}", capability, days * 24 * 60)
                step.machine_id = machine.id
                step.planned_start, step.planned_end = now, now + timedelta(days=days)
                session.add(step)


def add_other_work(
    platform: Platform,
    world: World,
    client: TestClient | httpx.Client,
    steps: list[tuple[str, int]],
) -> None:
    """Another customer's order of one step per (capability, minutes) in ``steps``, not planned
    yet: the planner places it as it places any new work."""
    order = place(client, world.bob, world.product_a, 1).json()
    with platform.db.write() as session:
        work = other_work_order(session, world, order["id"])
        for k, (capability, minutes) in enumerate(steps):
            session.add(other_work(work, f"other-{k}", capability, minutes))


def other_work_order(session: Session, world: World, order_id: str) -> WorkOrder:
    """A work order without steps in Alpha Works' first factory, for ``order_id``'s line."""
    factory = session.scalars(
        select(Factory)
        .where(Factory.enterprise_id == world.enterprise_a.id)
        .order_by(Factory.created_at)
    ).first()
    assert factory is not None
    line = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
    return open_work_order(session, [line], factory.id, steps=[])


def other_work(work: WorkOrder, step: str, capability: str, minutes: int) -> Operation:
    """A step of another order's, waiting to be planned."""
    return Operation(
        work_order_id=work.id,
        factory_id=work.factory_id,
        step=step,
        name="Other work",
        capability=capability,
        minutes=minutes,
        predecessors=[],
        status=OperationStatus.PLANNED,
    )


SPEED = 600.0  # simulated seconds per wall second assumed by the planner


def production(platform: Platform, lease_margin_s: float = 30) -> Settings:
    return platform.settings.model_copy(
        update={"factory_time_scale": SPEED, "dispatch_lease_margin_seconds": lease_margin_s}
    )


def run_until_shipped(loop: ProductionLoop, plant: Plant, order_ids: list[str]) -> None:
    def shipped() -> bool:
        with plant.platform.db.read() as session:
            query = select(Order.state).where(Order.id.in_(order_ids))
            return set(session.scalars(query)) == {"shipped"}

    run_until(loop, plant, shipped, "not all shipped")


def run_until(
    loop: ProductionLoop, plant: Plant, reached: Callable[[], bool], failure: str
) -> None:
    """Plan, dispatch and let the twin work, ten simulated minutes a turn, until ``reached``."""

    async def drive() -> None:
        deadline = time.monotonic() + 60
        with ProcessPoolExecutor(max_workers=1) as pool:
            while time.monotonic() < deadline:
                await loop.tick(pool)
                plant.advance(600)
                if reached():
                    return
                await asyncio.sleep(0.02)  # leases run on the wall clock
        raise AssertionError(failure)

    run_async(drive(), timeout=90)
