"""After delivery the relationship goes on: the customer answers one question (and may change
the answer), orders the same again in one call, and the maker reads what customers say."""

from __future__ import annotations

import json
import random

from fastapi.testclient import TestClient

from c2m.bootstrap import Platform
from c2m.demo.shoppers import Shoppers, will_answer
from c2m.domains.insights.nps import MIN_ANSWERS, net_promoter
from tests.api.test_access_control import log_in
from tests.api.test_templates import FRIDGE, HAND_PRICED, create
from tests.conftest import World
from tests.factory_support import MAIN_LINE, paid_orders


def delivered(client: TestClient, world: World, count: int = 1) -> list[str]:
    """Alice's paid orders of Alpha's stool, moved along by its maker until delivered."""
    orders = paid_orders(client, world, count)
    for order_id in orders:
        for state in MAIN_LINE[MAIN_LINE.index("paid") + 1 :]:
            moved = client.post(
                f"/api/v1/orders/{order_id}/advance",
                json={"to": state},
                headers=world.maker_a.headers,
            )
            assert moved.status_code == 200, moved.text
    return orders


def rate(client: TestClient, world: World, order_id: str, score: int, comment: str = "") -> int:
    response = client.put(
        f"/api/v1/orders/{order_id}/feedback",
        json={"score": score, "comment": comment},
        headers=world.alice.headers,
    )
    return response.status_code


def test_the_customer_rates_a_delivered_order_and_may_change_the_answer(
    client: TestClient, world: World
) -> None:
    (not_yet,) = paid_orders(client, world, 1)
    assert rate(client, world, not_yet, 9) == 409
    (order_id,) = delivered(client, world)
    assert rate(client, world, order_id, 6, "Wobbly legs") == 200
    assert rate(client, world, order_id, 9, "Fixed at once, thank you") == 200
    mine = client.get(f"/api/v1/orders/{order_id}/feedback", headers=world.alice.headers).json()
    assert (mine["score"], mine["comment"]) == (9, "Fixed at once, thank you")

    assert rate(client, world, order_id, 11) == 422
    by_maker = client.put(
        f"/api/v1/orders/{order_id}/feedback", json={"score": 10}, headers=world.maker_a.headers
    )
    assert by_maker.status_code == 404  # only the customer answers
    stranger = client.get(f"/api/v1/orders/{order_id}/feedback", headers=world.bob.headers)
    assert stranger.status_code == 404


def test_the_maker_sees_its_net_promoter_score_only_from_enough_answers(
    client: TestClient, world: World
) -> None:
    orders = delivered(client, world, MIN_ANSWERS + 1)
    scores = [10, 9, 8, 3, 10]
    for order_id, score in zip(orders, scores, strict=False):
        assert rate(client, world, order_id, score) == 200
    alpha = f"/api/v1/enterprises/{world.enterprise_a.id}/feedback"
    said = client.get(alpha, headers=world.maker_a.headers).json()
    figures = said["net_promoter"]
    assert figures["score"] == round(100 * (3 - 1) / 5)
    assert (figures["answers"], figures["asked"]) == (5, MIN_ANSWERS + 1)
    assert len(said["latest"]) == 5
    assert client.get(alpha, headers=world.maker_b.headers).status_code == 404

    few = net_promoter([10, 10], asked=2)
    assert few.score is None  # "not enough data", not a number


def test_a_delivered_order_is_ordered_again_in_one_call(client: TestClient, world: World) -> None:
    (order_id,) = delivered(client, world)
    again = client.post(
        f"/api/v1/orders/{order_id}/reorder",
        headers={**world.alice.headers, "Idempotency-Key": "again-1"},
    )
    assert again.status_code == 201, again.text
    new = again.json()
    assert new["id"] != order_id
    assert new["state"] == "placed"
    assert new["lines"][0]["product_id"] == world.product_a.id
    replay = client.post(
        f"/api/v1/orders/{order_id}/reorder",
        headers={**world.alice.headers, "Idempotency-Key": "again-1"},
    )
    assert replay.json()["id"] == new["id"]  # a retried tap orders once

    (in_work,) = paid_orders(client, world, 1)
    early = client.post(f"/api/v1/orders/{in_work}/reorder", headers=world.alice.headers)
    assert early.status_code == 409
    others = client.post(f"/api/v1/orders/{order_id}/reorder", headers=world.bob.headers)
    assert others.status_code == 404


def test_a_designed_order_is_ordered_again_at_its_version_or_changed_on_the_new_one(
    client: TestClient, world: World
) -> None:
    made = create(client, world.maker_a, world.enterprise_a.id)
    design = client.post(
        "/api/v1/designs",
        json={"template_id": made["id"], "name": "Kitchen", "configuration": HAND_PRICED},
        headers=world.alice.headers,
    ).json()
    first = client.post(f"/api/v1/designs/{design['id']}/order", headers=world.alice.headers)
    order_id = first.json()["id"]
    paid = client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"payment_method": "test-ok"},
        headers=world.alice.headers,
    )
    assert paid.status_code == 200, paid.text
    for state in MAIN_LINE[MAIN_LINE.index("paid") + 1 :]:
        moved = client.post(
            f"/api/v1/orders/{order_id}/advance", json={"to": state}, headers=world.maker_a.headers
        )
        assert moved.status_code == 200, moved.text
    base, *rest = FRIDGE["prices"]
    dearer = {**FRIDGE, "prices": [{**base, "amount": "59900"}, *rest]}
    client.post(
        f"/api/v1/templates/{made['id']}/versions",
        json={"definition": dearer, "published": True},
        headers=world.maker_a.headers,
    )

    again = client.post(f"/api/v1/orders/{order_id}/reorder", headers=world.alice.headers).json()
    (line,) = again["lines"]
    (earlier,) = first.json()["lines"]
    assert line["template_version"] == 1  # the same design, priced as it was designed
    assert (line["configuration"], line["unit_price"]) == (
        earlier["configuration"],
        earlier["unit_price"],
    )
    assert line["pricing"]["design_id"] == design["id"]
    assert line["routing"] == earlier["routing"]

    client.cookies.clear()
    log_in(client, world.alice.user.email)
    page = client.get(f"/orders/{order_id}/change")
    assert page.status_code == 200
    data = json.loads(page.text.split('id="configurator-data">')[1].split("</script>")[0])
    assert data["version"] == 2  # a new version starts from the current template
    assert (data["choices"], data["name"]) == (HAND_PRICED, f"{line['product_name']}, new version")


def test_the_demo_customers_answer_most_delivered_orders_once(
    client: TestClient, world: World, platform: Platform
) -> None:
    orders = delivered(client, world, 10)
    shoppers = Shoppers(platform.db, platform.payments, [world.alice.actor], per_minute=1)
    rng = random.Random(3)
    answered = [shoppers.answer(rng) for _ in range(12)]
    rated = [order_id for order_id in answered if order_id is not None]
    assert len(rated) == len(set(rated)), "an order was answered twice"
    assert set(rated) == {order_id for order_id in orders if will_answer(order_id)}
    nps = client.get(
        f"/api/v1/enterprises/{world.enterprise_a.id}/feedback", headers=world.maker_a.headers
    )
    assert nps.json()["net_promoter"]["answers"] == len(rated)
