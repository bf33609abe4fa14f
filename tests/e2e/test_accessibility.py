"""Issue 19: an automated accessibility check (axe-core, from the npm registry: ``npm ci``, as
.ci/run does) on every page a customer, a maker, a workshop member and the platform owner
reach, at a phone's size; no serious or critical violation.

axe is injected from ``node_modules`` (never a CDN) into each page after it has loaded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from c2m.domains.traceability.models import Unit
from tests.api.quoting_support import open_shop
from tests.api.test_makers import JOIN
from tests.conftest import LiveServer, Person, World, place
from tests.e2e.test_order_page import log_in
from tests.integration.test_units import start, started_work

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe() -> Path:
    if not AXE.exists():
        reason = f"axe-core is not installed ({AXE}): run npm ci"
        if os.environ.get("C2M_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE


def violations(page: Page, axe: Path, path: str) -> list[str]:
    """The serious and critical violations on ``path``, each as rule: the first offender."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(axe))
    result: dict[str, Any] = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {violations: r.violations, passed: r.passes.length}; }"
    )
    assert result["passed"] > 0, f"axe checked nothing on {path}"
    found: list[dict[str, Any]] = result["violations"]
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
        for v in found
        if v.get("impact") in BLOCKING
    ]


def _paid_order(api: httpx.Client, world: World) -> str:
    order_id: str = place(api, world.alice, world.product_a).json()["id"]  # type: ignore[arg-type]
    paid = api.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": "test-ok"},
        headers=world.alice.headers,
    )
    assert paid.status_code == 200, paid.text
    return order_id


def _check(
    page: Page, axe: Path, server: LiveServer, who: Person | None, paths: list[str]
) -> list[str]:
    page.context.clear_cookies()
    if who is not None:
        log_in(page, server, who.user.email)
    return [problem for path in paths for problem in violations(page, axe, server.url + path)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_page_has_a_serious_accessibility_violation(
    live_server: LiveServer, world: World, phone: Page, axe: Path
) -> None:
    open_shop(live_server.platform, world.enterprise_a)
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        order_id = _paid_order(api, world)
        joined = api.post("/api/v1/makers", json=JOIN, headers=world.bob.headers)
        assert joined.status_code == 201, joined.text
    enterprise = world.enterprise_a.id
    start(live_server.platform, started_work(live_server.platform, world, 1, {"wood": "oak"}))
    with live_server.platform.db.read() as session:
        unit = f"/u/{session.scalars(select(Unit.serial)).one()}"
    found = _check(
        phone,
        axe,
        live_server,
        None,
        ["/", "/login", "/signup", "/makers/join", "/problems", "/circles",
         f"/products/{world.product_a.id}", unit],
    )  # fmt: skip
    found += _check(
        phone,
        axe,
        live_server,
        world.alice,
        ["/orders", f"/orders/{order_id}", "/requests", "/account", "/account/earnings",
         f"/quote/{world.enterprise_a.slug}", "/enterprises/apply", unit],
    )  # fmt: skip
    found += _check(
        phone,
        axe,
        live_server,
        world.maker_a,
        ["/workshop", f"/orders/{order_id}", f"/workshop/enterprises/{enterprise}/team",
         f"/workshop/enterprises/{enterprise}/statement",
         f"/workshop/enterprises/{enterprise}/rfqs", f"/workshop/enterprises/{enterprise}/stock",
         f"/workshop/enterprises/{enterprise}/templates/new", "/insights/scorecard"],
    )  # fmt: skip
    found += _check(phone, axe, live_server, world.bob, ["/maker"])
    found += _check(
        phone,
        axe,
        live_server,
        world.owner,
        ["/network", "/platform/applications", "/mails", "/insights/scorecard?unit=maker"],
    )
    assert not found, "\n".join(found)
