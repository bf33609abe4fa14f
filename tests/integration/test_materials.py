"""Issue 18: stock, reservations and the planner's respect for material, on SQLite and PostgreSQL.

Work orders reserve, consume and release from several threads while deliveries and purchases
arrive: no lot ever has more reserved than it holds, none goes negative, and every reservation
keeps the quantity its work order asked for. A step short of material is planned to start no
earlier than the material can be there.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.demo.factory import demo_factory
from c2m.demo.templates import REFRIGERATOR
from c2m.domains.factory.models import AttemptStatus, Factory, JobAttempt, Machine
from c2m.domains.factory.service import register_plant
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.materials import levels
from c2m.domains.materials import service as materials
from c2m.domains.materials.models import Reservation, ReservationStatus, StockLot
from c2m.domains.materials.reservations import consume, release, reserve, settle, step_materials
from c2m.domains.materials.schemas import MaterialIn
from c2m.domains.materials.stock import arrive
from c2m.domains.planning.models import Operation, OperationStatus, WorkOrder
from c2m.domains.planning.planner import snapshot
from c2m.domains.planning.work_orders import open_work_orders
from c2m.engines.configurator import Requirement
from c2m.kernel.clock import utcnow
from c2m.workers.production import ProductionLoop
from tests.api.test_access_control import log_in
from tests.conftest import World, order_design, pay_for, run_async
from tests.factory_support import Plant, production, run_until_shipped

SLOW = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
STEEL_KEY = "sheet-steel-0.8"
STEEL = MaterialIn(
    name="Sheet steel 0.8 mm",
    unit="m²",
    reorder_point=20,
    reorder_quantity=50,
    lead_days=5,
)


@dataclass(frozen=True)
class Move:
    """One thing that happens to the stock: a delivery, a purchase placed, or a work order
    that reserves, and then starts (consumes) or is cancelled (releases)."""

    kind: str
    quantity: int  # whole m²


moves = st.builds(
    Move,
    kind=st.sampled_from(["receive", "order", "start", "cancel"]),
    quantity=st.integers(min_value=1, max_value=40),
)


def steel(quantity: int) -> tuple[Requirement, ...]:
    return (Requirement("steel", STEEL_KEY, STEEL.name, Decimal(quantity), "m²", "cut"),)


def setup_factory(platform: Platform, world: World) -> str:
    with platform.db.write() as session:
        register_plant(session, world.enterprise_a.id, demo_factory())
        materials.define(session, world.enterprise_a.id, STEEL_KEY, STEEL)
        return session.scalars(select(Factory.id)).one()


def stock_steel(
    platform: Platform, world: World, quantity: int, arriving: datetime | None = None
) -> tuple[str, str]:
    """Alpha Works' factory takes in ``quantity`` m² of steel (docking at ``arriving``, if
    given); the factory's id and the lot's."""
    with platform.db.write() as session:
        factory = session.scalars(select(Factory.id)).one()
        material = materials.define(session, world.enterprise_a.id, STEEL_KEY, STEEL)
        lot = materials.receive(
            session, material, factory, Decimal(quantity), "po-1", utcnow(), arriving
        )
        return factory, lot.id


def apply(
    platform: Platform, world: World, factory: str, move: Move, asked: dict[str, int]
) -> None:
    now = utcnow()
    with platform.db.write() as session:
        material = materials.define(session, world.enterprise_a.id, STEEL_KEY, STEEL)
        code = uuid.uuid4().hex[:12]
        if move.kind == "receive":
            materials.receive(session, material, factory, Decimal(move.quantity), code, now)
        elif move.kind == "order":
            materials.order(session, material, factory, Decimal(move.quantity), code, now)
        else:
            work = uuid.uuid4().hex
            reserve(session, world.enterprise_a.id, factory, work, steel(move.quantity), "cut")
            asked[work] = move.quantity * 1000
    if move.kind in ("start", "cancel"):
        with platform.db.write() as session:
            if move.kind == "start":
                consume(session, work, "cut", utcnow())
            else:
                release(session, work, "cut", utcnow())


@SLOW
@given(st.lists(st.lists(moves, min_size=1, max_size=6), min_size=2, max_size=4))
def test_reservations_never_exceed_stock_under_concurrent_work(
    platform: Platform, world: World, threads: list[list[Move]]
) -> None:
    with platform.db.read() as session:
        factory = session.scalar(select(Factory.id))
    factory = factory or setup_factory(platform, world)
    asked: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(mine: list[Move]) -> None:
        try:
            for move in mine:
                apply(platform, world, factory, move, asked)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(mine,)) for mine in threads]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with platform.db.read() as session:
        lots = {lot.id: lot for lot in session.scalars(select(StockLot))}
        held: dict[str | None, int] = defaultdict(int)
        kept: dict[str, int] = defaultdict(int)
        for reservation in session.scalars(select(Reservation)):
            kept[reservation.work_order_id] += reservation.quantity
            if reservation.status is ReservationStatus.RESERVED:
                held[reservation.lot_id] += reservation.quantity
        for lot in lots.values():
            assert 0 <= held[lot.id] <= lot.remaining <= lot.quantity
        for work_order, quantity in asked.items():
            assert kept[work_order] == quantity
        # Nothing short while free stock lies on hand or on its way.
        for level in levels.levels(session, world.enterprise_a.id):
            assert level.short == 0 or level.on_hand + level.on_order == level.reserved


def test_purchase_suggestions_reach_the_reorder_point_and_cover_shortages(
    platform: Platform, world: World
) -> None:
    factory = setup_factory(platform, world)
    with platform.db.write() as session:
        material = materials.define(session, world.enterprise_a.id, STEEL_KEY, STEEL)
        materials.receive(session, material, factory, Decimal(30), "coil-1", utcnow())
        reserve(session, world.enterprise_a.id, factory, "w1", steel(45), "cut")
    with platform.db.read() as session:
        (suggestion,) = levels.suggestions(session, world.enterprise_a.id, utcnow())
    level = suggestion.level
    assert (level.on_hand, level.reserved, level.short, level.free) == (30, 30, 15, -15)
    assert suggestion.quantity == 50  # the reorder quantity: more than the 35 the point needs
    assert suggestion.arrives.date() == (utcnow() + timedelta(days=5)).date()

    with platform.db.write() as session:  # the purchase placed covers the shortage at once
        material = materials.define(session, world.enterprise_a.id, STEEL_KEY, STEEL)
        materials.order(session, material, factory, suggestion.quantity, "po-1", utcnow())
    with platform.db.read() as session:
        assert levels.suggestions(session, world.enterprise_a.id, utcnow()) == []


def test_the_planner_starts_work_short_of_steel_when_the_steel_can_be_there(
    platform: Platform, world: World, client: TestClient
) -> None:
    factory = setup_factory(platform, world)
    arrives = utcnow() + timedelta(hours=30)
    with platform.db.write() as session:
        for machine in session.scalars(select(Machine)):
            machine.state = MachineState.IDLE
    stock_steel(platform, world, 10, arrives)
    order = order_design(client, world, REFRIGERATOR, {})
    pay_for(client, world.alice, order)
    with platform.db.write() as session:
        open_work_orders(session)
    with platform.db.read() as session:
        (work,) = session.scalars(select(WorkOrder))
        (held,) = session.scalars(select(Reservation).where(Reservation.work_order_id == work.id))
        shot = snapshot(session, factory, utcnow(), 1.0)
    assert held.step == "cut"
    assert held.lot_id is not None
    assert shot is not None
    released = {op.name: op.release for op in shot.instance.operations if op.release}
    assert list(released) == ["Cut panels"]  # only the step that takes the steel waits for it
    assert abs(released["Cut panels"] - 30 * 3600) < 60  # and starts no earlier than it docks

    log_in(client, world.alice.user.email)
    page = client.get(f"/orders/{order['id']}").text
    assert "Waiting for material: Sheet steel 0.8 mm is on its way from the supplier" in page
    assert arrives.strftime("%A %-d %B") in page


def test_the_stock_follows_what_the_machine_reports_it_used(
    platform: Platform, world: World
) -> None:
    factory = setup_factory(platform, world)
    now = utcnow()

    def remaining() -> Decimal:
        with platform.db.read() as session:
            (lot,) = session.scalars(select(StockLot))
            return Decimal(lot.remaining) / 1000

    with platform.db.write() as session:
        material = materials.define(session, world.enterprise_a.id, STEEL_KEY, STEEL)
        materials.receive(session, material, factory, Decimal(100), "po-1", now)
        for work in ("w1", "w2"):
            reserve(session, world.enterprise_a.id, factory, work, steel(10), "cut")
            consume(session, work, "cut", now)
        (takes,) = step_materials(session, "w1", "cut")
    assert (takes.material, takes.quantity, takes.unit) == (STEEL_KEY, 10, "m²")
    assert remaining() == 80  # by the bill, at each start
    with platform.db.write() as session:
        settle(session, "w1", "cut", [(STEEL_KEY, Decimal("10.4"))])  # offcuts
    assert remaining() == Decimal("79.6")
    with platform.db.write() as session:
        settle(session, "w2", "cut", [(STEEL_KEY, Decimal("9.5")), ("paint", Decimal(1))])
    assert remaining() == Decimal("80.1")  # the half m² it did not use is back


def test_a_twin_cutter_told_of_its_steel_reports_what_it_cut_and_the_stock_follows(
    platform: Platform, world: World, client: TestClient
) -> None:
    plant = Plant(platform, world)
    stock_steel(platform, world, 100)
    order = order_design(client, world, REFRIGERATOR, {})
    pay_for(client, world.alice, order)
    run_until_shipped(
        ProductionLoop(platform.db, plant.gateway, production(platform)), plant, [str(order["id"])]
    )
    with platform.db.read() as session:
        (cut,) = session.scalars(
            select(JobAttempt).where(
                JobAttempt.status == AttemptStatus.DONE,
                JobAttempt.command["job"]["operation"]["step"].as_string() == "cut",
            )
        )
        (told,) = cut.command["job"]["materials"]
        (used,) = cut.consumed
        (lot,) = session.scalars(select(StockLot))
    assert told["material"] == used["material"] == STEEL_KEY
    assert told["quantity"] <= used["quantity"] <= told["quantity"] * 1.05
    assert Decimal(lot.remaining) / 1000 == 100 - Decimal(str(used["quantity"]))


def test_steel_that_docks_early_brings_the_cut_forward_at_the_next_tick(
    platform: Platform, world: World, client: TestClient
) -> None:
    plant = Plant(platform, world)
    due = utcnow() + timedelta(hours=30)
    _, lot_id = stock_steel(platform, world, 10, due)
    order = order_design(client, world, REFRIGERATOR, {})
    pay_for(client, world.alice, order)
    loop = ProductionLoop(platform.db, plant.gateway, platform.settings)

    async def tick() -> None:
        with ProcessPoolExecutor(max_workers=1) as pool:
            await loop.tick(pool)

    def cut() -> tuple[OperationStatus, datetime]:
        with platform.db.read() as session:
            step = session.scalars(select(Operation).where(Operation.step == "cut")).one()
            assert step.planned_start is not None
            return step.status, step.planned_start

    run_async(tick())
    status, starts = cut()
    assert status is OperationStatus.PLANNED  # the cutter is free, but the steel is not there
    assert starts >= due - timedelta(minutes=1)
    with platform.db.write() as session:
        arrive(session, lot_id, utcnow())  # the truck is early
    run_async(tick())
    status, starts = cut()
    assert status is OperationStatus.DISPATCHED
    assert starts < utcnow() + timedelta(minutes=1)
