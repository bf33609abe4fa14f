"""Issue 15 on a phone: a maker accepts the offer of a customer's paid part and follows it on
the dashboard, from waiting for the plan to printing with the printer's percentage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine
from c2m.domains.factory.service import issue_command
from c2m.domains.makers.order_jobs import route_paid_parts
from c2m.domains.planning.models import Operation, OperationStatus
from c2m.kernel.clock import utcnow
from tests.api.quoting_support import box_stl, open_shop
from tests.api.test_makers import JOIN, PRINTER
from tests.conftest import LiveServer, World
from tests.e2e.test_order_page import log_in
from tests.e2e.test_team_pages import _fits, _keep

pytestmark = pytest.mark.browser


def _call(api: httpx.Client, path: str, headers: dict[str, str], **kw: Any) -> Any:
    answer = api.request(kw.pop("method", "POST"), f"/api/v1{path}", headers=headers, **kw)
    assert answer.status_code < 300, answer.text
    return answer.json()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_maker_accepts_a_paid_part_and_sees_it_progress(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    platform = live_server.platform
    open_shop(platform, world.enterprise_a)
    with httpx.Client(base_url=live_server.url, timeout=60) as api:
        service = f"/enterprises/{world.enterprise_a.id}/quoting-service"
        _call(api, service, world.maker_a.headers, method="PUT", json={"to_makers": True})
        joined = JOIN | {"display_name": "Riverside Prints"}
        _call(api, "/makers", world.bob.headers, json=joined)
        _call(api, "/makers/me/machines", world.bob.headers, json=PRINTER | {"calendar": None})
        files = [("files", ("clip.stl", box_stl((30, 20, 10)), "model/stl"))]
        params = {"enterprise_id": world.enterprise_a.id}
        [part] = _call(api, "/uploads", world.alice.headers, params=params, files=files)
        body = {"upload_id": part["id"], "process": "fdm", "material": "PLA", "quantity": 2}
        quote = _call(api, "/quotes", world.alice.headers, json=body)
        order = _call(api, "/quote-orders", world.alice.headers, json={"quote_ids": [quote["id"]]})
        paying = {"payment_method": "test-ok"}
        _call(api, f"/orders/{order['id']}/pay", world.alice.headers, json=paying)
    with platform.db.write() as session:
        route_paid_parts(session, utcnow(), "DE")

    log_in(phone, live_server, world.bob.user.email)
    phone.goto(live_server.url + "/maker#offers")
    offer = phone.locator("#offers .offer")
    expect(offer).to_contain_text("clip.stl, 2 pcs")
    expect(phone.locator("#jobs")).to_contain_text("No jobs yet")
    offer.get_by_role("button", name="Accept").click()
    job = phone.locator("#jobs .job")
    expect(job).to_contain_text("clip.stl, 2 pcs")
    expect(job).to_contain_text("Waiting to be planned")

    with platform.db.write() as session:  # the plan, the dispatch and the printer's report
        operation = session.scalars(select(Operation)).one()
        printer = session.scalars(select(Machine).where(Machine.code == PRINTER["code"])).one()
        sent = issue_command(session, printer.id, operation.id, nominal_s=600, lease_s=900)
        operation.machine_id, operation.attempt_id = printer.id, sent.command.attempt_id
        operation.status = OperationStatus.RUNNING
        attempt = session.get(JobAttempt, sent.command.attempt_id)
        assert attempt is not None
        attempt.status, attempt.percent = AttemptStatus.STARTED, 40
    phone.reload()
    expect(job).to_contain_text("Printing on prusa-1, 40 % done")
    expect(job.locator("progress")).to_have_attribute("value", "40")
    expect(phone.locator("main")).not_to_contain_text(world.alice.user.name)  # no customer data
    _fits(phone)
    _keep(phone, "maker-jobs")
