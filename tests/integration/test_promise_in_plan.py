"""Issue 18: a promise given is kept in the plan. Whatever other customers' work the machines
carry and whether the sheet steel and compressors are on hand or still to be bought, a fridge
paid for at the date its configurator promised is planned to be made by that date, and every
order promised before it still is: the planner starts from its previous plan with the new work
where the promise counted on it, and never trades a kept promise for anything else. (A
breakdown can break one; the order page then says so: tests/api/test_order_page.py.)"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.demo.factory import demo_factory
from c2m.demo.templates import REFRIGERATOR
from c2m.domains.catalog.models import ProductTemplate
from c2m.domains.factory.models import Factory, Machine
from c2m.domains.factory.service import register_plant
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.materials import service as materials
from c2m.domains.materials.schemas import MaterialIn
from c2m.domains.orders.models import Order
from c2m.domains.orders.promises import day_end, promises
from c2m.domains.planning import planner
from c2m.domains.planning.promises_kept import planned_finish
from c2m.domains.planning.work_orders import open_work_orders
from c2m.engines.configurator import LeadTimeRule
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.solver import SolveOptions, solve
from c2m.kernel.clock import utcnow
from tests.conftest import World, pay_for, publish_template
from tests.factory_support import add_other_work
from tests.integration.test_materials import STEEL, STEEL_KEY

Round = tuple[list[tuple[str, int]], int, int, dict[str, object]]
FRIDGE = replace(REFRIGERATOR, lead_times=(LeadTimeRule("base", "Made to order", "1"),))
"""The demo fridge, its rules saying one day: its promise comes from the plan, to the day."""
STEPS = ("sheet-cut", "foam-inject", "assemble", "inspect", "pack")
configurations = st.integers(1, 4).flatmap(
    lambda doors: st.fixed_dictionaries(
        {"doors": st.just(doors)},
        optional={
            "ice_maker": st.booleans() if doors > 1 else st.just(False),  # in a freezer door
            "engraving": st.sampled_from(["", "ANNA"]),
        },
    )
)
COMPRESSOR_KEY = "compressor-r600a"
COMPRESSOR = MaterialIn(
    name="Compressor (R600a)", unit="pcs", reorder_point=2, reorder_quantity=4, lead_days=3
)
rounds = st.tuples(
    st.lists(st.tuples(st.sampled_from(STEPS), st.integers(30, 960)), max_size=6),  # minutes
    st.integers(0, 8),  # m² of sheet steel delivered (a fridge takes about 4)
    st.integers(0, 1),  # compressors delivered (assembly takes one)
    configurations,
)


def fridge_shop(client: TestClient, world: World, platform: Platform) -> tuple[str, str]:
    """Alpha Works' factory (the demo plant, all connected) and its published fridge, once."""
    with platform.db.write() as session:
        factory = session.scalar(select(Factory.id))
        fridge = session.scalar(select(ProductTemplate.id))
        if factory is None:
            register_plant(session, world.enterprise_a.id, demo_factory())
            for machine in session.scalars(select(Machine)):
                machine.state = MachineState.IDLE
            materials.define(session, world.enterprise_a.id, STEEL_KEY, STEEL)
            materials.define(session, world.enterprise_a.id, COMPRESSOR_KEY, COMPRESSOR)
            factory = session.scalars(select(Factory.id)).one()
    return factory, fridge or publish_template(client, world, FRIDGE)


def plan(platform: Platform, factory: str) -> None:
    """One re-plan as the production loop makes it, from the previous plan."""
    now = utcnow()
    with platform.db.write() as session:
        open_work_orders(session)
    with platform.db.read() as session:
        snap = planner.snapshot(session, factory, now, platform.settings.factory_time_scale)
    assert snap is not None
    options = SolveOptions(Objective.LEX, time_limit=0.5, workers=1, reference=snap.reference)
    result = solve(snap.instance, options)
    with platform.db.write() as session:
        planner.apply(session, snap, result, "test", now)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(rounds, min_size=1, max_size=3))
def test_every_promise_given_is_kept_in_the_plan(
    client: TestClient,
    world: World,
    platform: Platform,
    story: list[Round],
) -> None:
    factory, fridge = fridge_shop(client, world, platform)
    for other_work, steel, compressors, configuration in story:
        if other_work:  # another customer's order, planned before the fridge is priced
            add_other_work(platform, world, client, other_work)
            plan(platform, factory)
        delivered = ((STEEL_KEY, STEEL, steel), (COMPRESSOR_KEY, COMPRESSOR, compressors))
        with platform.db.write() as session:
            for key, spec, quantity in delivered:
                material = materials.define(session, world.enterprise_a.id, key, spec)
                code = f"{key}-{uuid.uuid4().hex[:8]}"
                if quantity:
                    materials.receive(session, material, factory, Decimal(quantity), code, utcnow())
        priced = client.post(
            f"/api/v1/templates/{fridge}/configure",
            json={"choices": configuration},
            headers=world.alice.headers,
        )
        assert priced.status_code == 200, priced.text
        design = client.post(
            "/api/v1/designs",
            json={"template_id": fridge, "name": "Kitchen", "configuration": configuration},
            headers=world.alice.headers,
        )
        assert design.status_code == 201, design.text
        design_id = design.json()["id"]
        order = client.post(f"/api/v1/designs/{design_id}/order", headers=world.alice.headers)
        assert order.status_code == 201, order.text
        pay_for(client, world.alice, order.json())
        plan(platform, factory)
        with platform.db.read() as session:
            promised = promises(session, [order.json()["id"]])[order.json()["id"]]
            assert (promised - utcnow().date()).days == priced.json()["lead_time"]["days"]
            every = promises(session, list(session.scalars(select(Order.id))))
            for order_id, day in every.items():
                finish = planned_finish(session, order_id)
                assert finish is None or finish <= day_end(day), (order_id, day, finish)
