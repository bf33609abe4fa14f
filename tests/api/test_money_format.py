"""Money reads one way everywhere (issue 19, item 6): Babel's "€45.00" on every page and in the
back office, which also names states in words instead of showing cents and codes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_access_control import log_in
from tests.conftest import World, place


def test_pages_write_money_as_people_do(client: TestClient, world: World) -> None:
    order = place(client, world.alice, world.product_a, quantity=2).json()
    log_in(client, world.alice.user.email)
    for path, amount in (
        ("/", "€45.00"),
        ("/orders", "€90.00"),
        (f"/orders/{order['id']}", "€90.00"),
    ):
        page = client.get(path).text
        assert amount in page, path
        assert "EUR " not in page, path


def test_the_back_office_shows_money_and_states_in_words(client: TestClient, world: World) -> None:
    order = place(client, world.alice, world.product_a, quantity=2).json()
    paid = client.post(
        f"/api/v1/orders/{order['id']}/pay",
        json={"payment_method": "test-ok"},
        headers=world.alice.headers,
    )
    assert paid.status_code == 200, paid.text
    log_in(client, world.owner.user.email)
    orders = client.get("/admin/order/list").text
    assert "€90.00" in orders
    assert "Paid" in orders
    assert ">9000<" not in orders.replace(" ", "").replace("\n", "")
    assert "€90.00" in client.get(f"/admin/order/details/{order['id']}").text
    payments = client.get("/admin/payment/list").text
    assert "€90.00" in payments
    assert "succeeded" not in payments
    assert "€45.00" in client.get("/admin/product/list").text
    events = client.get("/admin/order-event/list").text
    assert "Payment received" in events
