"""The two-dimensional scorecard, recomputed from orders, timeline, feedback and ledger: the
figures are the ones the events say, a thin month is "not enough data", owners see their own."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from c2m.bootstrap import Platform
from c2m.domains.insights.scorecard import MIN_ORDERS
from c2m.domains.ledger import periods
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.kernel.clock import utcnow
from tests.api.test_after_delivery import delivered, rate
from tests.api.test_codesign_royalties import relay, short_sleeves
from tests.conftest import World
from tests.factory_support import paid_orders
from tests.integration.test_preorder_batches import pay, preorder


def _score(
    client: TestClient, headers: dict[str, str], period: str | None = None, unit: str = ""
) -> list:
    query = "&".join(
        f for f in (f"period={period}" if period else "", f"unit={unit}" if unit else "") if f
    )
    response = client.get(f"/api/v1/scorecard?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _measures(axis: dict) -> dict[str, float | None]:
    return {m["name"]: m["value"] for m in axis["measures"]}


def test_each_figure_is_what_the_orders_feedback_and_ledger_say(
    client: TestClient, world: World, platform: Platform
) -> None:
    shipped = delivered(client, world, 2)
    for order_id, score in zip(shipped, (10, 6), strict=True):
        assert rate(client, world, order_id, score) == 200
    with platform.db.write() as session:  # promised 7 days (kept) and 0 days (missed)
        for order_id, days in zip(shipped, (7, 0), strict=True):
            session.execute(
                update(OrderLine)
                .where(OrderLine.order_id == order_id)
                .values(pricing={"lead_time": {"days": days, "label": "made to order"}})
            )
    orders = shipped + paid_orders(client, world, MIN_ORDERS - 1)
    while platform.relay.relay_once():  # the ledger posts what the outbox carries
        pass

    (alpha,) = _score(client, world.maker_a.headers)  # an owner sees their own only
    assert alpha["enterprise_id"] == world.enterprise_a.id
    assert alpha["paid_orders"] == len(orders)
    user = _measures(alpha["user_value"])
    assert user["repeat purchase"] == 1.0  # Alice came back
    assert user["co-designed"] == 0.0
    assert user["net promoter score"] is None  # 2 answers: not enough for a score
    assert user["on time"] == 0.5
    assert alpha["user_value"]["score"] == round((100 + 0 + 0 + 50) / 4, 1)
    money = _measures(alpha["enterprise_value"])
    assert money["contribution margin"] == 0.9  # what is left after the platform's 10 %
    assert money["revenue growth"] is None  # nothing sold the month before
    assert alpha["enterprise_value"]["score"] == 90.0
    assert alpha["previous"] == {"user_value": None, "enterprise_value": None}

    everyone = {p["name"]: p for p in _score(client, world.owner.headers)}
    assert set(everyone) == {"Alpha Works", "Beta Works"}
    beta = everyone["Beta Works"]
    assert beta["user_value"]["score"] is None  # no orders: not enough data, not zero
    assert beta["enterprise_value"]["score"] is None


def test_a_month_is_asked_for_plainly_and_only_owners_see_the_scorecard(
    client: TestClient, world: World
) -> None:
    now = utcnow()
    earlier = f"{now.year - 1}-{now.month:02d}"
    (alpha,) = _score(client, world.maker_a.headers, earlier)
    assert alpha["period"] == earlier
    assert alpha["paid_orders"] == 0
    wrong = client.get("/api/v1/scorecard?period=2026-13", headers=world.maker_a.headers)
    assert wrong.status_code == 422
    assert "YYYY-MM" in wrong.json()["detail"]
    customer = client.get("/api/v1/scorecard", headers=world.alice.headers)
    assert customer.status_code == 403


def test_products_and_circles_are_points_of_their_own_and_owners_see_their_own(
    client: TestClient, world: World, platform: Platform
) -> None:
    circle_id, batch_id, _ = short_sleeves(client, world)  # a circle of Alpha Works
    for person in (world.alice, world.bob, world.maker_b):
        pay(platform, person, preorder(client, batch_id, person)["id"])
    paid_orders(client, world, MIN_ORDERS)  # of Alpha's stool
    relay(platform)

    products = {p["name"]: p for p in _score(client, world.owner.headers, unit="product")}
    assert {"Stool", "Lamp"} <= set(products)
    stool = products["Stool"]
    assert (stool["unit"], stool["id"]) == ("product", world.product_a.id)
    assert stool["enterprise_id"] == world.enterprise_a.id
    assert stool["paid_orders"] == MIN_ORDERS
    assert stool["user_value"]["score"] is not None
    assert _measures(stool["enterprise_value"])["contribution margin"] == 0.9
    assert products["Lamp"]["user_value"]["score"] is None  # nothing sold: not enough data
    own = _score(client, world.maker_a.headers, unit="product")
    assert world.product_b.id not in {p["id"] for p in own}  # Beta's lamp is not Alpha's

    (circle,) = _score(client, world.maker_a.headers, unit="circle")
    assert (circle["unit"], circle["id"]) == ("circle", circle_id)
    assert circle["paid_orders"] == 3  # its model's pre-orders, whoever placed them
    assert circle["user_value"]["score"] is None  # 3 < MIN_ORDERS: not enough data
    assert "through circles" not in _measures(circle["user_value"])  # all of them are
    assert circle["enterprise_value"]["score"] is not None
    assert _score(client, world.maker_b.headers, unit="circle") == []  # not Beta's circle
    wrong = client.get("/api/v1/scorecard?unit=machine", headers=world.owner.headers)
    assert wrong.status_code == 422


def test_a_year_is_every_month_against_the_one_before_in_one_pass(
    client: TestClient, world: World, platform: Platform
) -> None:
    """Half the orders moved back a month (placed, paid; the ledger never changes, so their
    money stays in this month): the year's months say what each month's own scorecard says,
    and each month's trend is the month before."""
    orders = paid_orders(client, world, 2 * MIN_ORDERS)
    relay(platform)
    current = periods.month(utcnow().strftime("%Y-%m"))
    previous = periods.month_before(current)
    with platform.db.write() as session:
        for number, order_id in enumerate(orders[:MIN_ORDERS]):
            at = previous.start + timedelta(days=2, hours=number)
            session.execute(update(Order).where(Order.id == order_id).values(created_at=at))
            session.execute(update(OrderEvent).where(OrderEvent.order_id == order_id).values(at=at))

    points: dict[str, dict] = {}
    for year in sorted({previous.start.year, current.start.year}):
        response = client.get(f"/api/v1/scorecard/year?year={year}", headers=world.owner.headers)
        assert response.status_code == 200, response.text
        months = response.json()
        assert [m["period"] for m in months] == [f"{year}-{m:02d}" for m in range(1, 13)]
        for month in months:  # the year is its months, one by one
            assert month["points"] == _score(client, world.owner.headers, month["period"])
            points[month["period"]] = next(p for p in month["points"] if p["name"] == "Alpha Works")
    before, now = points[previous.month or ""], points[current.month or ""]
    assert before["paid_orders"] == now["paid_orders"] == MIN_ORDERS
    assert before["user_value"]["score"] is not None
    assert before["enterprise_value"]["score"] is None  # its money was posted this month
    assert now["previous"] == {
        "user_value": before["user_value"]["score"],
        "enterprise_value": None,
    }
    assert _measures(now["user_value"])["repeat purchase"] == 1.0  # Alice came back
    refused = client.get(
        f"/api/v1/scorecard/year?year={current.start.year}", headers=world.alice.headers
    )
    assert refused.status_code == 403
