"""The two-dimensional scorecard, recomputed from orders, timeline, feedback and ledger: the
figures are the ones the events say, a thin month is "not enough data", owners see their own."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from c2m.bootstrap import Platform
from c2m.domains.insights.scorecard import MIN_ORDERS
from c2m.domains.orders.models import OrderLine
from c2m.kernel.clock import utcnow
from tests.api.test_after_delivery import delivered, rate
from tests.conftest import World
from tests.factory_support import paid_orders


def _score(client: TestClient, headers: dict[str, str], period: str | None = None) -> list:
    query = f"?period={period}" if period else ""
    response = client.get(f"/api/v1/scorecard{query}", headers=headers)
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
