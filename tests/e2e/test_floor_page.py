"""Issue 5, acceptance 4: the factory floor page shows a machine going down and the plan
changing, live, without a reload."""

from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from c2m.domains.factory.models import Machine
from c2m.domains.orders.models import Order
from c2m.domains.planning.models import ON_MACHINE, Operation
from c2m.kernel.clock import utcnow
from c2m.workers.production import ProductionLoop
from tests.conftest import LiveServer, World, run_async
from tests.e2e.charts import (
    SIZES,
    boxes,
    inside,
    keep,
    nested_boxes,
    overlapping,
    page_overflow,
    small_text,
)
from tests.e2e.test_order_page import log_in
from tests.factory_support import Plant, paid_orders, promise

pytestmark = pytest.mark.browser


def tick(loop: ProductionLoop) -> None:
    """One production tick."""

    async def once() -> None:
        with ProcessPoolExecutor(max_workers=1) as pool:
            await loop.tick(pool)

    run_async(once())


def working_floor(live_server: LiveServer, world: World) -> tuple[Plant, ProductionLoop, str]:
    """Two paid orders planned and started: the plant, its loop and a busy machine's code."""
    platform = live_server.platform
    plant = Plant(platform, world)
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        paid_orders(client, world, 2)
    loop = ProductionLoop(
        platform.db,
        plant.gateway,
        platform.settings.model_copy(
            update={"factory_time_scale": 600, "dispatch_lease_margin_seconds": 30}
        ),
    )
    tick(loop)
    plant.advance(1)
    tick(loop)
    with platform.db.read() as session:
        busy = session.scalar(
            select(Machine.code)
            .join(Operation, Operation.machine_id == Machine.id)
            .where(Operation.status.in_(ON_MACHINE))
            .limit(1)
        )
    assert busy is not None
    return plant, loop, busy


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_floor_shows_a_breakdown_and_the_new_plan_live(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    platform = live_server.platform
    plant, loop, busy = working_floor(live_server, world)

    page = phone
    log_in(page, live_server, world.maker_a.user.email)
    page.goto(f"{live_server.url}/workshop")
    page.get_by_role("link", name="Factory floor").click()
    card = page.locator(f'.machine[data-machine="{busy}"]')
    expect(card).to_be_visible()
    expect(card).not_to_have_class("machine state-down")
    # The plan says why it was made: the new work, or (on a slow machine, where the scaled clock
    # runs past a planned end between ticks) an overrun that re-planned it since.
    expect(page.locator("#plan")).to_contain_text(re.compile("new work|an operation overran"))
    expect(page.locator(".gantt-row .gantt-bar.plan").first).to_be_attached()
    expect(page.locator(".gantt-row .gantt-bar.actual").first).to_be_attached()  # plan vs actual
    expect(page.locator("#gauges figure")).to_have_count(4)
    expect(page.locator("#promise-gauge figure")).to_have_count(1)
    expect(page.locator("#promises")).to_contain_text(  # these orders were promised no date
        "No order with a promised date has shipped in the last 7 days"
    )
    page.locator(".gantt-row .gantt-bar.actual").first.click()
    expect(page.locator("#detail")).to_contain_text("planned")

    plant.twin.break_down(busy, "spindle jam", repair_s=3600)
    plant.flush()
    tick(loop)
    expect(card).to_have_class("card machine state-down")
    expect(card).to_contain_text("spindle jam")
    expect(page.locator("#plan")).to_contain_text(f"machine {busy} down")
    with platform.db.read() as session:
        moved_to = set(
            session.scalars(
                select(Machine.code)
                .join(Operation, Operation.machine_id == Machine.id)
                .where(Operation.status == "planned")
            )
        )
    assert busy not in moved_to


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_gantt_reads_against_the_clock_at_both_sizes(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    """Issue 19: bars inside their lanes, a clock axis whose labels do not collide, a legend,
    text of 12 px or more, and no sideways scrolling of the page, on a phone and a laptop."""
    working_floor(live_server, world)
    with live_server.platform.db.read() as session:
        late = session.scalars(select(Order.id).order_by(Order.created_at)).first()
    assert late is not None
    promise(live_server.platform, late, utcnow().date() - timedelta(days=1))
    page = phone
    log_in(page, live_server, world.maker_a.user.email)
    page.goto(f"{live_server.url}/workshop")
    page.get_by_role("link", name="Factory floor").click()
    expect(page.locator(".gantt-row .gantt-bar.actual").first).to_be_attached()
    expect(page.locator("#late")).to_contain_text("1 open order is planned to finish after")
    expect(page.locator("#late a")).to_have_attribute("href", f"/orders/{late}")
    legend = page.locator("#gantt-legend")
    for name, size in SIZES.items():
        page.evaluate("document.querySelector('.gantt-row').dataset.old = 'yes'")
        page.set_viewport_size(size)
        page.wait_for_function("!document.querySelector('.gantt-row[data-old]')")  # redrawn
        for lane, bars in nested_boxes(page, ".gantt-lane", ".gantt-bar"):
            for bar in bars:
                assert inside(bar, lane), f"a bar leaves its lane at {name} size"
        ticks = page.locator(".gantt-axis .gantt-tick")
        assert ticks.count() >= 2, f"no time axis at {name} size"
        assert all(re.fullmatch(r"\d\d:\d\d", t) for t in ticks.all_text_contents())
        assert not overlapping(boxes(ticks)), f"tick labels collide at {name}"
        assert small_text(page.locator("#gantt")) == []
        assert small_text(legend) == [], "no legend, or too small"
        assert small_text(page.locator("#gauges")) == []
        assert small_text(page.locator("#promise-gauge")) == []
        assert page_overflow(page) <= 0, f"the page scrolls sideways at {name} size"
        keep(page, "floor")
    for meaning in ("Plan", "Running", "Done", "Held", "Now"):
        expect(legend).to_contain_text(meaning)
