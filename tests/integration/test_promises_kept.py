"""Issue 18: a factory measures the promises it keeps (orders shipped by the date their customers
were promised) and names the open orders its plan finishes after their promise."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.models import Factory
from c2m.domains.planning.promises_kept import promises_kept
from c2m.kernel.clock import utcnow
from c2m.workers.production import ProductionLoop
from tests.conftest import World, run_async
from tests.factory_support import Plant, paid_orders, production, promise, run_until_shipped


def test_the_floor_counts_promises_kept_and_names_the_orders_planned_late(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    loop = ProductionLoop(platform.db, plant.gateway, production(platform))
    today = utcnow().date()
    kept, broken = paid_orders(client, world, 2)
    promise(platform, kept, today + timedelta(days=30))
    promise(platform, broken, today - timedelta(days=1))  # its day is over before it ships
    run_until_shipped(loop, plant, [kept, broken])
    (waiting,) = paid_orders(client, world, 1)
    promise(platform, waiting, today - timedelta(days=2))

    async def plan_once() -> None:
        with ProcessPoolExecutor(max_workers=1) as pool:
            await loop.tick(pool)

    run_async(plan_once())
    with platform.db.read() as session:
        factory_id = session.scalars(select(Factory.id)).one()
        record = promises_kept(session, factory_id, utcnow())
    assert (record.shipped, record.on_time, record.rate) == (2, 1, 0.5)
    assert [(late.order_id, late.promised) for late in record.late] == [
        (waiting, today - timedelta(days=2))
    ]

    floor = client.get(f"/api/v1/factories/{factory_id}/floor", headers=world.maker_a.headers)
    assert floor.status_code == 200, floor.text
    shown = floor.json()["promises"]
    assert (shown["shipped"], shown["on_time"], shown["planned_late"]) == (2, 1, 1)
    assert shown["late"][0]["order"] == waiting
