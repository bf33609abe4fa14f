"""The makers' pages behind the browser test: a signed-in customer joins from the form, a
maker never reaches another maker's printer, and only the platform owner sees the network."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_access_control import log_in
from tests.api.test_makers import add_printer, join
from tests.conftest import World

FORM = {"display_name": "Attic Works", "country": "FR", "region": "", "certificates": ""}


def test_a_signed_in_customer_joins_from_the_form(client: TestClient, world: World) -> None:
    csrf = log_in(client, world.alice.user.email)
    assert client.get("/maker", follow_redirects=False).headers["location"] == "/makers/join"
    refused = client.post("/makers/join", data=FORM | {"csrf_token": csrf, "country": "EU"})
    assert refused.status_code == 422
    assert "ISO 3166-1" in refused.text
    assert 'value="Attic Works"' in refused.text  # nothing typed is lost
    joined = client.post("/makers/join", data=FORM | {"csrf_token": csrf}, follow_redirects=False)
    assert joined.status_code == 303
    assert joined.headers["location"] == "/maker"
    page = client.get("/maker")
    assert "Attic Works" in page.text
    assert "On probation" in page.text
    again = client.get("/makers/join", follow_redirects=False)
    assert again.headers["location"] == "/maker"


def test_a_maker_cannot_touch_another_makers_printer_from_the_page(
    client: TestClient, world: World
) -> None:
    join(client, world.bob, display_name="Bob's Bench")
    printer = add_printer(client, world.bob)
    csrf = log_in(client, world.alice.user.email)
    client.post("/makers/join", data=FORM | {"csrf_token": csrf})
    path = f"/maker/machines/{printer['id']}"
    stolen = client.post(path + "/secret", data={"csrf_token": csrf})
    assert stolen.status_code == 404
    changed = client.post(path, data={"csrf_token": csrf, "material": "ABS", "colour": "red"})
    assert changed.status_code == 404
    assert client.get("/network").status_code == 403
