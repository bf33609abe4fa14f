"""Issue 19, items 1 and 2, on the order page as its customer reads it: what was ordered in words
with its picture and dates, one line per factory step in plain words, a progress that moves
through production, and payments that say what happened and what to do next.

Runs on SQLite and PostgreSQL; the browser test (tests/e2e/test_order_page.py) checks the look.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.orders import events
from c2m.domains.orders.models import Order
from c2m.domains.orders.payments import Callback
from c2m.domains.orders.service import note
from c2m.domains.planning.models import OPEN, Operation, WorkOrderLine
from c2m.domains.planning.progress import ACTOR
from c2m.domains.planning.promises_kept import planned_finish
from c2m.kernel.clock import utcnow
from c2m.workers.production import ProductionLoop
from tests.api.quoting_support import box_stl, open_shop
from tests.api.test_access_control import log_in
from tests.api.test_payments import send_callback
from tests.api.test_templates import HAND_PRICED, create
from tests.conftest import World, place
from tests.factory_support import (
    Plant,
    production,
    run_until,
    run_until_shipped,
    timeline,
)

E = events.OrderEventType


def fridge_order(client: TestClient, world: World) -> dict:
    """Alice's order of the demo refrigerator, configured as docs/catalog.md prices it."""
    made = create(client, world.maker_a, world.enterprise_a.id)
    saved = client.post(
        "/api/v1/designs",
        json={"template_id": made["id"], "name": "Kitchen", "configuration": HAND_PRICED},
        headers=world.alice.headers,
    )
    assert saved.status_code == 201, saved.text
    ordered = client.post(
        f"/api/v1/designs/{saved.json()['id']}/order",
        headers={**world.alice.headers, "Idempotency-Key": "fridge-page"},
    )
    assert ordered.status_code == 201, ordered.text
    return ordered.json()


def form_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def pay_on_page(client: TestClient, order_id: str, method: str) -> str:
    """Pay as the page's form does; the page the browser lands on."""
    page = client.get(f"/orders/{order_id}").text
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    assert version is not None
    paid = client.post(
        f"/orders/{order_id}/pay",
        data={
            "csrf_token": form_token(page),
            "payment_method": method,
            "expected_version": version.group(1),
        },
        headers={"Accept": "text/html"},
    )
    assert paid.status_code == 200, paid.text
    return paid.text


def step_rows(page: str) -> dict[str, str]:
    """The step list: each step's words and its state's words."""
    rows = re.findall(
        r'<span class="step-title">([^<]+)</span>\s*<span class="step-state">([^<]+)</span>', page
    )
    return dict(rows)


def test_a_configured_order_reads_in_words_with_its_picture_and_dates(
    client: TestClient, world: World
) -> None:
    order = fridge_order(client, world)
    log_in(client, world.alice.user.email)
    page = client.get(f"/orders/{order['id']}").text
    assert "<small>{&#34;capacity&#34;" not in page  # the configuration is not printed as JSON
    for label, value in [
        ("Capacity", "400 l"),
        ("Width", "75 cm"),
        ("Panel material", "Steel"),
        ("Panel colour", "Black"),
        ("Ice maker", "Yes"),
        ("Engraved name", "“Ada”"),
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page
    assert "data-drawing=" in page  # the configurator's drawing of what was chosen
    assert "Ships within <strong>13 days</strong> of your payment" in page

    pay_on_page(client, order["id"], "test-ok")
    page = client.get(f"/orders/{order['id']}").text
    promised = utcnow().date() + timedelta(days=13)
    assert f"Promised to ship by <strong>{promised.strftime('%A %-d %B %Y')}</strong>" in page


def test_a_quoted_part_shows_its_thumbnail_and_its_process_in_words(
    client: TestClient, platform: Platform, world: World
) -> None:
    open_shop(platform, world.enterprise_a)
    uploaded = client.post(
        "/api/v1/uploads",
        params={"enterprise_id": world.enterprise_a.id},
        files=[("files", ("bracket.stl", box_stl((20, 20, 20)), "application/octet-stream"))],
        headers=world.alice.headers,
    ).json()[0]
    body = {"upload_id": uploaded["id"], "process": "fdm", "material": "PLA", "quantity": 10}
    quoted = client.post("/api/v1/quotes", json=body, headers=world.alice.headers).json()
    order = client.post(
        "/api/v1/quote-orders", json={"quote_ids": [quoted["id"]]}, headers=world.alice.headers
    ).json()
    log_in(client, world.alice.user.email)
    page = client.get(f"/orders/{order['id']}").text
    assert "quote_id" not in page
    assert "upload_id" not in page
    assert "<dt>Part</dt><dd>bracket.stl</dd>" in page
    assert "<dt>Process</dt><dd>3D printed in plastic (FDM)</dd>" in page
    assert "<dt>Material</dt><dd>PLA</dd>" in page
    assert "<h2>10 \N{MULTIPLICATION SIGN} " in page
    assert f'<img src="{uploaded["thumbnail_url"]}"' in page
    ship = next(t["ship_date"] for t in quoted["tiers"] if t["tier"] == "standard")
    shown = date.fromisoformat(ship).strftime("%A %-d %B %Y")
    assert f"Promised to ship by <strong>{shown}</strong>" in page


def test_each_step_is_one_line_in_plain_words_with_its_own_state(
    client: TestClient, platform: Platform, world: World
) -> None:
    order = fridge_order(client, world)
    log_in(client, world.alice.user.email)
    pay_on_page(client, order["id"], "test-ok")
    cut = {"operation": "Cut panels", "step": "cut", "machine": "laser-2"}
    foam = {"operation": "Foam the cabinet", "step": "foam", "machine": "foam-1"}
    down = {**foam, "reason": "the machine went down during this step"}
    with platform.db.write() as session:
        stored = session.get(Order, order["id"])
        assert stored is not None
        for kind, data in [
            (E.OPERATION_STARTED, cut),
            (E.OPERATION_DONE, cut),
            (E.OPERATION_STARTED, foam),
            (E.MACHINE_DOWN, down),
        ]:
            note(session, stored, events.step(kind, data), actor="factory")
    page = client.get(f"/orders/{order['id']}").text
    assert step_rows(page) == {
        "Cutting panels": "Done",
        "Foaming the cabinet": "On hold",
        "Engraving the name": "Waiting",
        "Fitting the ice maker": "Waiting",
        "Assembling": "Waiting",
        "Checking the quality": "Waiting",
        "Packing": "Waiting",
    }
    assert "The machine went down during this step." in page
    assert "Step started" not in page
    assert "Step finished" not in page
    history = page.split('id="timeline"')[1]
    assert "laser-2" not in history
    assert "Cut panels" not in history
    details = page.split('<details class="machines">')[1].split("</details>")[0]
    assert "laser-2" in details  # machine codes only under the disclosure
    assert 'class="tone-bad"' not in page.split('id="timeline"')[0]  # no red in the line list

    steps = client.get(f"/orders/{order['id']}/steps")
    assert steps.status_code == 200
    assert step_rows(steps.text)["Cutting panels"] == "Done"
    client.cookies.clear()
    log_in(client, world.bob.user.email)
    assert client.get(f"/orders/{order['id']}/steps").status_code == 404  # not Bob's order


def test_progress_never_goes_back_and_moves_through_every_machine_step(
    client: TestClient, platform: Platform, world: World
) -> None:
    plant = Plant(platform, world)
    order = fridge_order(client, world)
    paid = client.post(
        f"/api/v1/orders/{order['id']}/pay",
        json={"payment_method": "test-ok"},
        headers=world.alice.headers,
    )
    assert paid.status_code == 200, paid.text
    loop = ProductionLoop(platform.db, plant.gateway, production(platform))
    run_until_shipped(loop, plant, [order["id"]])
    seen = timeline(platform, order["id"])
    shown = [event.progress for event in seen]
    assert shown == sorted(shown)
    finished = [event.progress for event in seen if event.type == E.OPERATION_DONE]
    assert len(finished) == 7
    assert len(set(finished)) == 7, f"progress stood still through steps: {finished}"
    assert finished[-1] == 90


def test_a_declined_payment_says_why_and_what_to_do_as_an_error(
    client: TestClient, world: World
) -> None:
    order = place(client, world.alice, world.product_a).json()
    log_in(client, world.alice.user.email)
    page = pay_on_page(client, order["id"], "test-decline")
    alert = re.search(r'<div class="error" role="alert">(.*?)</div>', page, re.S)
    assert alert is not None, "the decline is not shown as an error"
    assert "Your bank declined the card." in alert.group(1)
    assert "pay with another card" in alert.group(1)
    assert 'class="tone-bad"><time' in page  # its history entry is red, not green
    assert re.search(r"<button type=\"submit\">Try again: pay ", page)


def test_a_pending_payment_waits_for_the_bank_and_a_second_tap_is_told_kindly(
    client: TestClient, platform: Platform, world: World
) -> None:
    held: list[object] = []
    platform.payments.deliver_later = held.append  # the bank has not answered yet
    order = place(client, world.alice, world.product_a).json()
    log_in(client, world.alice.user.email)
    page = pay_on_page(client, order["id"], "test-delayed")
    assert '<button type="submit" disabled>Waiting for your bank…</button>' in page
    assert 'data-payment="pending"' in page  # timeline.js reloads the page when it settles
    again = client.post(
        f"/orders/{order['id']}/pay",
        data={"csrf_token": form_token(page), "payment_method": "test-ok", "expected_version": "2"},
        headers={"Accept": "text/html"},
    )
    assert again.status_code == 200
    assert "Conflict" not in again.text
    assert "there is no need to pay again" in again.text
    assert len(held) == 1


def test_a_payment_the_bank_refuses_later_is_declined_in_words_too(
    client: TestClient, platform: Platform, world: World
) -> None:
    held: list[Callback] = []
    platform.payments.deliver_later = held.extend  # the bank's answer, sent below
    order = place(client, world.alice, world.product_a).json()
    log_in(client, world.alice.user.email)
    pay_on_page(client, order["id"], "test-delayed-fail")
    for callback in held:
        send_callback(client, platform, callback.provider_ref, callback.kind, callback.seq)
    page = client.get(f"/orders/{order['id']}").text
    alert = re.search(r'<div class="error" role="alert">(.*?)</div>', page, re.S)
    assert alert is not None
    assert "Your bank did not confirm the payment." in alert.group(1)


def test_an_order_the_plan_finishes_after_its_promise_says_so_and_why(
    client: TestClient, platform: Platform, world: World
) -> None:
    """Issue 18: a promise is kept unless a breakdown intervenes, and then the page says so."""
    plant = Plant(platform, world)
    order = fridge_order(client, world)
    log_in(client, world.alice.user.email)
    pay_on_page(client, order["id"], "test-ok")
    loop = ProductionLoop(platform.db, plant.gateway, production(platform))
    run_until(loop, plant, lambda: planned_finish_of(platform, order["id"]), "never planned")
    page = client.get(f"/orders/{order['id']}").text
    assert 'id="running-late"' not in page  # thirteen days is room enough

    later = run_late(platform, order["id"])
    page = client.get(f"/orders/{order['id']}").text
    assert "Running late: machine cutter-1 broke down, and the factory now plans" in page
    assert later.strftime("%A %-d %B") in page


def run_late(platform: Platform, order_id: str) -> datetime:
    """Cutter 1 broke down and the plan now finishes the order a month from now; when."""
    later = utcnow() + timedelta(days=30)
    with platform.db.write() as session:
        fetched = session.get(Order, order_id)
        assert fetched is not None
        data = {"operation": "Cut panels", "step": "cut", "machine": "cutter-1"}
        note(session, fetched, events.step(E.MACHINE_DOWN, data), actor=ACTOR)
        made = select(WorkOrderLine.work_order_id).where(WorkOrderLine.order_id == order_id)
        for op in session.scalars(select(Operation).where(Operation.work_order_id.in_(made))):
            if op.status in OPEN:
                op.planned_end = later
    return later


def planned_finish_of(platform: Platform, order_id: str) -> bool:
    with platform.db.read() as session:
        return planned_finish(session, order_id) is not None
