"""Issue 15: a quoting service that sends its parts to makers. A paid quoted part is routed to
the makers and offered to the best ranked; the maker who accepts gets its work order in their
workshop (its machine steps only), the customer's timeline names the workshop and nobody's
name, and the micro-enterprise's own factory never plans it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine
from c2m.domains.factory.service import issue_command
from c2m.domains.insights.scorecard import MIN_ORDERS
from c2m.domains.ledger import production
from c2m.domains.ledger.maker_earnings import maker_earnings
from c2m.domains.ledger.models import LedgerPosting
from c2m.domains.makers.models import MakerProfile, RoutedJob
from c2m.domains.makers.order_jobs import route_paid_parts
from c2m.domains.planning.models import Operation, OperationStatus, WorkOrder
from c2m.domains.planning.work_orders import open_work_orders
from c2m.kernel.clock import utcnow
from tests.api.quoting_support import box_stl, open_shop
from tests.api.test_access_control import log_in
from tests.api.test_maker_offers import ROUND_THE_CLOCK, offers_of
from tests.api.test_makers import add_printer, join
from tests.api.test_quotes import quote, upload
from tests.conftest import World


@pytest.fixture
def network_shop(client: TestClient, platform: Platform, world: World) -> World:
    """Alpha Works quotes parts and sends them to makers; Riverside Prints has a printer."""
    open_shop(platform, world.enterprise_a)
    sent = client.put(
        f"/api/v1/enterprises/{world.enterprise_a.id}/quoting-service",
        json={"to_makers": True},
        headers=world.maker_a.headers,
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["to_makers"] is True
    join(client, world.bob, display_name="Riverside Prints", certificates=[])
    add_printer(client, world.bob, **ROUND_THE_CLOCK)
    return world


def paid_part(client: TestClient, world: World, quantity: int = 2) -> dict[str, Any]:
    (part,) = upload(client, world, {"clip.stl": box_stl((30, 20, 10))})
    priced = quote(client, world, part["id"], quantity=quantity)
    ordered = client.post(
        "/api/v1/quote-orders", json={"quote_ids": [priced["id"]]}, headers=world.alice.headers
    )
    assert ordered.status_code == 201, ordered.text
    order_id = ordered.json()["id"]
    paid = client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": "test-ok"},
        headers=world.alice.headers,
    )
    assert paid.status_code == 200, paid.text
    return dict(paid.json())


def route(platform: Platform) -> int:
    with platform.db.write() as session:
        return route_paid_parts(session, utcnow(), "DE")


def test_a_paid_part_goes_to_the_maker_who_accepts_it(
    client: TestClient, platform: Platform, network_shop: World
) -> None:
    world = network_shop
    order = paid_part(client, world)
    assert route(platform) == 1
    assert route(platform) == 0  # a line is routed once
    [offer] = offers_of(client, world.bob)
    assert offer["title"] == "clip.stl, 2 pcs"
    with platform.db.write() as session:
        assert open_work_orders(session) == {}  # the enterprise's factory does not make it
    accepted = client.post(
        f"/api/v1/makers/me/offers/{offer['id']}/accept", headers=world.bob.headers
    )
    assert accepted.status_code == 200, accepted.text
    with platform.db.read() as session:
        workshop = session.scalars(
            select(MakerProfile.factory_id).where(MakerProfile.user_id == world.bob.user.id)
        ).one()
        [work] = session.scalars(select(WorkOrder).where(WorkOrder.first_order_id == order["id"]))
        steps = session.scalars(
            select(Operation.capability).where(Operation.work_order_id == work.id)
        ).all()
        job = session.scalars(select(RoutedJob)).one()
    assert work.factory_id == workshop
    assert steps == ["fdm-print"]  # checking and packing are the maker's hands
    assert job.state == "accepted"
    path = f"/api/v1/orders/{order['id']}/events"
    seen = client.get(path, headers=world.alice.headers).json()
    chosen = [e for e in seen if e["type"] == "maker_chosen"]
    assert [e["data"]["workshop"] for e in chosen] == ["Riverside Prints"]
    assert world.bob.user.name not in str(seen)
    log_in(client, world.alice.user.email)
    page = client.get(f"/orders/{order['id']}")
    assert "Riverside Prints, an independent maker, makes it" in page.text


def test_the_maker_earns_the_accepted_price_when_the_job_is_done(
    client: TestClient, platform: Platform, network_shop: World
) -> None:
    world = network_shop
    order = paid_part(client, world)
    route(platform)
    [offer] = offers_of(client, world.bob)
    client.post(f"/api/v1/makers/me/offers/{offer['id']}/accept", headers=world.bob.headers)
    with platform.db.write() as session:
        operation = session.scalars(select(Operation)).one()
        assert production.charge_step(session, order["id"], finish(session, operation)) is None
        operation.status = OperationStatus.DONE
        posted = production.charge_step(session, order["id"], operation.attempt_id or "")
        again = production.charge_step(session, order["id"], operation.attempt_id or "")
        maker = session.scalars(select(MakerProfile)).one()
        earned = maker_earnings(session, maker.id)
        lines = {p.account: p.amount for p in session.scalars(select(LedgerPosting))}
    assert posted is not None
    assert again is None  # once per job
    assert earned.owed == {"EUR": offer["price"]}
    assert [e.what for e in earned.recent] == ["clip.stl, 2 pcs"]
    assert lines[f"Liabilities:Makers:{maker.id.upper()}"] == -offer["price"]
    assert lines[f"Liabilities:Enterprises:{world.enterprise_a.id.upper()}"] == offer["price"]
    log_in(client, world.bob.user.email)
    dashboard = client.get("/maker").text
    assert "owed to you" in dashboard
    assert "clip.stl, 2 pcs" in dashboard


def finish(session: Session, operation: Operation) -> str:
    """The operation's printer ran it for ten minutes: its attempt, ended."""
    machine = session.scalars(select(Machine).where(Machine.code == "prusa-1")).one()
    sent = issue_command(session, machine.id, operation.id, nominal_s=600, lease_s=900)
    attempt = session.get(JobAttempt, sent.command.attempt_id)
    assert attempt is not None
    now = utcnow()
    attempt.status, attempt.started_at, attempt.ended_at = (
        AttemptStatus.DONE,
        now - timedelta(minutes=10),
        now,
    )
    operation.machine_id, operation.attempt_id = machine.id, attempt.attempt_id
    operation.status = OperationStatus.RUNNING
    session.flush()
    return attempt.attempt_id


def test_a_part_no_maker_can_make_stays_paid_and_unplaced(
    client: TestClient, platform: Platform, network_shop: World
) -> None:
    world = network_shop
    order = paid_part(client, world, quantity=1)
    with platform.db.write() as session:
        for machine in session.scalars(select(MakerProfile)):
            machine.suspended = True
    assert route(platform) == 1
    with platform.db.read() as session:
        job = session.scalars(select(RoutedJob)).one()
        assert job.state == "unplaced"
        assert session.scalars(select(WorkOrder)).all() == []
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=world.alice.headers).json()
    assert seen["state"] == "paid"


def test_only_owners_choose_who_makes_the_parts(
    client: TestClient, platform: Platform, world: World
) -> None:
    open_shop(platform, world.enterprise_a)
    path = f"/api/v1/enterprises/{world.enterprise_a.id}/quoting-service"
    assert client.get(path, headers=world.maker_a.headers).json()["to_makers"] is False
    refused = client.put(path, json={"to_makers": True}, headers=world.alice.headers)
    assert refused.status_code == 404  # not a member: no such micro-enterprise to her
    wrong = client.put(path, json={"to_makers": "yes"}, headers=world.maker_a.headers)
    assert wrong.status_code == 422


def test_a_maker_is_a_point_of_the_scorecard_with_the_orders_they_made(
    client: TestClient, platform: Platform, network_shop: World
) -> None:
    world = network_shop
    orders = [paid_part(client, world) for _ in range(MIN_ORDERS)]
    while platform.relay.relay_once():  # the ledger posts the payments
        pass
    route(platform)
    prices = 0
    for offer in offers_of(client, world.bob):
        accepted = client.post(
            f"/api/v1/makers/me/offers/{offer['id']}/accept", headers=world.bob.headers
        )
        assert accepted.status_code == 200, accepted.text
        prices += offer["price"]
    with platform.db.write() as session:
        for operation in session.scalars(select(Operation)).all():
            attempt = finish(session, operation)
            operation.status = OperationStatus.DONE
            order_id = session.scalars(
                select(WorkOrder.first_order_id).where(WorkOrder.id == operation.work_order_id)
            ).one()
            assert production.charge_step(session, order_id, attempt) is not None

    response = client.get("/api/v1/scorecard?unit=maker", headers=world.owner.headers)
    assert response.status_code == 200, response.text
    (riverside,) = response.json()
    assert riverside["name"] == "Riverside Prints"
    assert riverside["unit"] == "maker"
    assert riverside["paid_orders"] == len(orders)
    margin = {m["name"]: m for m in riverside["enterprise_value"]["measures"]}
    gross = sum(order["total"] for order in orders)
    assert margin["contribution margin"]["sample"] == gross
    assert margin["contribution margin"]["value"] == pytest.approx(prices / gross)
    theirs = client.get("/api/v1/scorecard?unit=maker", headers=world.bob.headers).json()
    assert [p["name"] for p in theirs] == ["Riverside Prints"]  # their workshop is theirs
    assert client.get("/api/v1/scorecard?unit=maker", headers=world.maker_a.headers).json() == []
    log_in(client, world.owner.user.email)
    page = client.get("/insights/scorecard?unit=maker")
    assert page.status_code == 200
    assert "Riverside Prints" in page.text
