"""Issue 15: a job routed across makers is offered to the best ranked one; they accept, decline
with a reason (the next maker gets it), let it time out (the sweep passes it on) or counter
within the bounds; the platform owner reads every maker's reason; no maker reaches another's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from c2m.bootstrap import Platform
from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine
from c2m.domains.makers.offers import time_out_offers
from c2m.domains.planning.models import Operation
from c2m.kernel.clock import utcnow
from tests.agent_support import operations_to_make
from tests.api.test_makers import add_printer, join
from tests.conftest import Person, World

ROUND_THE_CLOCK = {"calendar": None}


def job(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Cable clip, 4 pcs",
        "capability": "fdm-print",
        "material": "PLA",
        "colour": "black",
        "size": {"x_mm": 40, "y_mm": 20, "z_mm": 10},
        "tolerance_mm": 0.3,
        "machine_hours": 2,
        "volume_cm3": 12,
        "customer_country": "DE",
        "due_at": (utcnow() + timedelta(days=7)).isoformat(),
    } | changes


def network(client: TestClient, world: World) -> dict[str, str]:
    """Three makers: Alice the cheapest, Bob dearer, Maker B with white loaded (filtered out)."""
    ids = {}
    for person, name, rate, colour in (
        (world.alice, "Alice Prints", 100, "black"),
        (world.bob, "Bob Prints", 300, "black"),
        (world.maker_b, "White Only", 50, "white"),
    ):
        ids[name] = join(client, person, display_name=name, certificates=[])["id"]
        add_printer(client, person, hourly_rate=rate, colour=colour, **ROUND_THE_CLOCK)
    return ids


def route(client: TestClient, world: World, **changes: Any) -> dict[str, Any]:
    routed = client.post("/api/v1/routed-jobs", json=job(**changes), headers=world.owner.headers)
    assert routed.status_code == 201, routed.text
    return dict(routed.json())


def offers_of(client: TestClient, person: Person) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/makers/me/offers", headers=person.headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def reasons(client: TestClient, world: World, job_id: str) -> dict[str, dict[str, Any]]:
    answer = client.get(f"/api/v1/routed-jobs/{job_id}", headers=world.owner.headers)
    assert answer.status_code == 200, answer.text
    return {r["display_name"]: r for r in answer.json()["reasons"]}


def test_the_job_goes_to_the_best_ranked_maker_with_every_reason(
    client: TestClient, world: World
) -> None:
    network(client, world)
    routed = route(client, world)
    assert routed["state"] == "offered"
    why = {r["display_name"]: r for r in routed["reasons"]}
    assert set(why) == {"Alice Prints", "Bob Prints", "White Only"}
    assert why["Alice Prints"]["rank"] == 1
    assert why["Bob Prints"]["rank"] == 2
    assert why["White Only"]["rank"] is None
    assert "white loaded, not black" in why["White Only"]["reason"]
    assert why["Alice Prints"]["offer_state"] == "offered"
    [offer] = offers_of(client, world.alice)
    assert offer["title"] == "Cable clip, 4 pcs"
    assert offer["price"] == 344  # 2 hours at 1.00 and 12 cm³ at 0.12
    assert offer["max_price"] == 395  # a counter may ask 15 % more
    assert offers_of(client, world.bob) == []
    assert offers_of(client, world.maker_b) == []


def test_accepting_takes_the_job(client: TestClient, world: World) -> None:
    network(client, world)
    routed = route(client, world)
    [offer] = offers_of(client, world.alice)
    taken = client.post(
        f"/api/v1/makers/me/offers/{offer['id']}/accept", headers=world.alice.headers
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["state"] == "accepted"
    again = client.post(
        f"/api/v1/makers/me/offers/{offer['id']}/accept", headers=world.alice.headers
    )
    assert again.status_code == 409
    assert "accepted" in again.json()["detail"]
    owner_view = client.get(f"/api/v1/routed-jobs/{routed['id']}", headers=world.owner.headers)
    assert owner_view.json()["state"] == "accepted"


def test_a_decline_needs_a_reason_and_passes_the_job_on(client: TestClient, world: World) -> None:
    network(client, world)
    routed = route(client, world)
    [offer] = offers_of(client, world.alice)
    decline = f"/api/v1/makers/me/offers/{offer['id']}/decline"
    refused = client.post(decline, json={"reason": ""}, headers=world.alice.headers)
    assert refused.status_code == 422
    said = {"reason": "Printer booked for a family job"}
    declined = client.post(decline, json=said, headers=world.alice.headers)
    assert declined.status_code == 200, declined.text
    assert declined.json()["state"] == "declined"
    assert declined.json()["reason"] == "Printer booked for a family job"
    [next_offer] = offers_of(client, world.bob)
    assert next_offer["state"] == "offered"
    assert next_offer["price"] == 744
    why = reasons(client, world, routed["id"])
    assert "declined: Printer booked for a family job" in why["Alice Prints"]["reason"]
    assert why["Alice Prints"]["offer_state"] == "declined"
    assert why["Bob Prints"]["offer_state"] == "offered"
    [mine] = offers_of(client, world.alice)
    assert mine["state"] == "declined"  # recent offers keep their outcome


def test_an_unanswered_offer_times_out_to_the_next_maker_then_none(
    client: TestClient, world: World, platform: Platform
) -> None:
    network(client, world)
    routed = route(client, world)
    later = utcnow() + timedelta(hours=4, minutes=1)
    with platform.db.write() as session:
        assert time_out_offers(session, later) == 1
    [timed_out] = offers_of(client, world.alice)
    assert timed_out["state"] == "timed_out"
    late = client.post(
        f"/api/v1/makers/me/offers/{timed_out['id']}/accept", headers=world.alice.headers
    )
    assert late.status_code == 409
    [bobs] = offers_of(client, world.bob)
    assert bobs["state"] == "offered"
    with platform.db.write() as session:
        assert time_out_offers(session, later) == 0  # Bob's offer runs from its own start
        assert time_out_offers(session, later + timedelta(hours=4, minutes=1)) == 1
    answer = client.get(f"/api/v1/routed-jobs/{routed['id']}", headers=world.owner.headers)
    assert answer.json()["state"] == "unplaced"
    why = reasons(client, world, routed["id"])
    assert "timed out: no answer in time" in why["Bob Prints"]["reason"]


def test_a_counter_within_bounds_is_taken_and_outside_refused(
    client: TestClient, world: World
) -> None:
    network(client, world)
    route(client, world)
    [offer] = offers_of(client, world.alice)
    counter = f"/api/v1/makers/me/offers/{offer['id']}/counter"
    greedy = client.post(counter, json={"price": 396}, headers=world.alice.headers)
    assert greedy.status_code == 422
    assert "at most 395" in greedy.json()["detail"]
    too_late = (utcnow() + timedelta(days=7)).isoformat()
    late = client.post(counter, json={"ready_at": too_late}, headers=world.alice.headers)
    assert late.status_code == 422
    assert "deliver on time" in late.json()["detail"]
    assert offers_of(client, world.alice)[0]["state"] == "offered"
    nothing = client.post(counter, json={}, headers=world.alice.headers)
    assert nothing.status_code == 422
    taken = client.post(counter, json={"price": 395}, headers=world.alice.headers)
    assert taken.status_code == 200, taken.text
    assert taken.json()["state"] == "accepted"
    assert taken.json()["price"] == 395
    assert "countered" in taken.json()["reason"]


def test_no_maker_reaches_another_makers_offer(client: TestClient, world: World) -> None:
    network(client, world)
    routed = route(client, world)
    [offer] = offers_of(client, world.alice)
    for action, body in (("accept", None), ("decline", {"reason": "not mine"})):
        stolen = client.post(
            f"/api/v1/makers/me/offers/{offer['id']}/{action}", json=body, headers=world.bob.headers
        )
        assert stolen.status_code == 404
    assert offers_of(client, world.alice)[0]["state"] == "offered"
    peek = client.get(f"/api/v1/routed-jobs/{routed['id']}", headers=world.alice.headers)
    assert peek.status_code == 403
    routing = client.post("/api/v1/routed-jobs", json=job(), headers=world.bob.headers)
    assert routing.status_code == 403


def test_a_job_due_in_the_past_or_far_ahead_is_refused(client: TestClient, world: World) -> None:
    network(client, world)
    for days, said in ((-1, "has passed"), (120, "more than 90 days")):
        due = (utcnow() + timedelta(days=days)).isoformat()
        refused = client.post(
            "/api/v1/routed-jobs", json=job(due_at=due), headers=world.owner.headers
        )
        assert refused.status_code == 422
        assert said in refused.json()["detail"]


def test_routing_a_job_is_idempotent(client: TestClient, world: World) -> None:
    network(client, world)
    headers = world.owner.headers | {"Idempotency-Key": "route-1"}
    body = job()
    first = client.post("/api/v1/routed-jobs", json=body, headers=headers)
    second = client.post("/api/v1/routed-jobs", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert len(offers_of(client, world.alice)) == 1


def test_a_printer_that_keeps_failing_a_kind_of_job_stops_getting_it(
    client: TestClient, platform: Platform, world: World
) -> None:
    """Issue 15, item 7: a maker who claims resin printing and fails those jobs drops below the
    trust floor for that kind, with the reason; their plastic jobs still come."""
    join(client, world.bob, display_name="Riverside Prints", certificates=[])
    claims = {"capabilities": ["fdm-print", "sla-print"], **ROUND_THE_CLOCK}
    printer = add_printer(client, world.bob, **claims)
    with platform.db.read() as session:
        machine = session.get(Machine, printer["id"])
        assert machine is not None
        workshop = machine.factory_id
    made = operations_to_make(
        platform, world, workshop, {f"p{n}.gcode": b"G28\n" for n in range(4)}
    )
    with platform.db.write() as session:
        for n, operation_id in enumerate(made.values()):
            operation = session.get(Operation, operation_id)
            assert operation is not None
            operation.capability = "sla-print"
            session.add(
                JobAttempt(
                    attempt_id=f"failed-{n}",
                    machine_id=machine.id,
                    operation_id=operation_id,
                    status=AttemptStatus.FAILED,
                    commanded_at=utcnow(),
                    ended_at=utcnow(),
                    reason="machine cannot sla-print",
                )
            )
    resin = route(client, world, capability="sla-print")
    assert resin["state"] == "unplaced"
    why = reasons(client, world, resin["id"])["Riverside Prints"]["reason"]
    assert "sla-print score" in why
    assert "below 0.50" in why
    assert route(client, world)["state"] == "offered"  # plastic still comes
