"""What the planner honours: working calendars, rush orders first, promised dates, and no machine
twice at once."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.models import Factory, Machine
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.planning import planner, work_orders
from c2m.domains.planning.models import Operation, WorkOrder, WorkOrderLine
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.solver import SolveOptions, solve
from c2m.kernel.clock import utcnow
from tests.conftest import World, pay_for
from tests.factory_support import promise


def small_plant(platform: Platform, world: World, calendar: dict[str, object] | None) -> str:
    """One machine per step of the default routing; the assembler keeps ``calendar``."""
    with platform.db.write() as session:
        factory = Factory(enterprise_id=world.enterprise_a.id, code="rules", name="Rules")
        session.add(factory)
        session.flush()
        for code, capability in (("asm", "assemble"), ("qc", "inspect"), ("box", "pack")):
            session.add(
                Machine(
                    factory_id=factory.id,
                    code=code,
                    capabilities=[capability],
                    state=MachineState.IDLE,
                    calendar=calendar if code == "asm" else None,
                )
            )
        return factory.id


def paid(client: TestClient, world: World, **configuration: str) -> str:
    order = client.post(
        "/api/v1/orders",
        json={
            "lines": [
                {"product_id": world.product_a.id, "quantity": 1, "configuration": configuration}
            ]
        },
        headers=world.alice.headers,
    ).json()
    pay_for(client, world.alice, order)
    return str(order["id"])


def plan(platform: Platform, factory_id: str) -> dict[str, Operation]:
    """Plan the factory now; its operations by order id and step."""
    now = utcnow()
    with platform.db.write() as session:
        reasons = work_orders.open_work_orders(session)
    with platform.db.read() as session:
        snap = planner.snapshot(session, factory_id, now, time_scale=1.0)
    assert snap is not None
    result = solve(snap.instance, SolveOptions(objective=Objective.LEX, time_limit=5, workers=1))
    with platform.db.write() as session:
        planner.apply(session, snap, result, ", ".join(sorted(set(reasons.values()))), now)
    with platform.db.read() as session:
        rows = session.execute(
            select(Operation, WorkOrderLine.order_id).join(
                WorkOrderLine, WorkOrderLine.work_order_id == Operation.work_order_id
            )
        ).all()
        for op, _ in rows:
            session.expunge(op)
        return {f"{order_id}/{op.step}": op for op, order_id in rows}


def test_work_waits_for_the_machines_shift(
    client: TestClient, world: World, platform: Platform
) -> None:
    now = utcnow()
    in_two_hours = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    shift = {"start": in_two_hours.strftime("%H:%M"), "end": "23:59"}
    everyday = {day: [shift] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    if in_two_hours.date() != now.date():  # near midnight the shift would start tomorrow: skip it
        return
    factory_id = small_plant(platform, world, {"timezone": "UTC", "week": everyday})
    order_id = paid(client, world)
    ops = plan(platform, factory_id)
    assembly = ops[f"{order_id}/assemble"]
    assert assembly.planned_start is not None
    assert assembly.planned_start >= in_two_hours - timedelta(seconds=1)


def test_a_rush_order_is_planned_before_earlier_ordinary_ones(
    client: TestClient, world: World, platform: Platform
) -> None:
    factory_id = small_plant(platform, world, None)
    ordinary = [paid(client, world) for _ in range(3)]
    rush = paid(client, world, tier="express")
    ops = plan(platform, factory_id)
    with platform.db.read() as session:
        assert (
            session.scalar(select(WorkOrder.rush).where(WorkOrder.first_order_id == rush)) is True
        )
    first = min(ops.values(), key=lambda op: op.planned_start or utcnow())
    assert f"{rush}/assemble" in ops
    assert ops[f"{rush}/assemble"].planned_start == first.planned_start
    for order_id in ordinary:
        assert ops[f"{order_id}/pack"].planned_end >= ops[f"{rush}/pack"].planned_end  # type: ignore[operator]


def test_an_order_late_on_its_promise_is_planned_before_earlier_ones_promised_later(
    client: TestClient, world: World, platform: Platform
) -> None:
    factory_id = small_plant(platform, world, None)
    today = utcnow().date()
    earlier = [paid(client, world) for _ in range(3)]
    for order_id in earlier:
        promise(platform, order_id, today + timedelta(days=30))
    late = paid(client, world)
    promise(platform, late, today - timedelta(days=1))
    with platform.db.write() as session:
        work_orders.open_work_orders(session)
    with platform.db.read() as session:
        snap = planner.snapshot(session, factory_id, utcnow(), time_scale=1.0)
    assert snap is not None
    # Due now (its day has passed); a month away lies past any schedule's end: no due to weigh.
    assert sorted(str(job.due) for job in snap.instance.jobs) == ["0", "None", "None", "None"]
    ops = plan(platform, factory_id)
    first = min(ops.values(), key=lambda op: op.planned_start or utcnow())
    assert ops[f"{late}/assemble"].planned_start == first.planned_start
    for order_id in earlier:
        assert ops[f"{order_id}/pack"].planned_end >= ops[f"{late}/pack"].planned_end  # type: ignore[operator]
