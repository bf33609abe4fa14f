"""Machines fetch the file of their job: a signed, expiring link that serves only the machine
the operation was commanded to, with its own login; owners give machines their secrets."""

from __future__ import annotations

import base64
import hashlib
import io
import math
from functools import partial
from urllib.parse import urlsplit

import pytest
import trimesh
from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.demo.templates import MOUNTING_PLATE
from c2m.domains.factory import service
from c2m.domains.factory.contract import Command
from c2m.domains.factory.credentials import FileLinks
from c2m.domains.factory.models import ArtifactStore, Machine
from c2m.domains.orders.models import Order
from c2m.domains.orders.states import OrderState
from c2m.domains.planning import work_orders
from c2m.domains.planning.jobs import JobWriter
from c2m.domains.planning.models import Operation
from c2m.kernel.clock import utcnow
from tests.api.quoting_support import box_stl, open_shop
from tests.api.test_quotes import quote, upload
from tests.conftest import World, order_design

PART = box_stl((20, 20, 20))


@pytest.fixture
def shop(platform: Platform, world: World) -> World:
    open_shop(platform, world.enterprise_a)
    return world


def machine_id(platform: Platform, code: str) -> str:
    with platform.db.read() as session:
        found = session.scalar(select(Machine.id).where(Machine.code == code))
        assert found is not None
        return found


def login(client: TestClient, world: World, code: str) -> tuple[str, str]:
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    response = client.post(
        f"/api/v1/machines/{machine_id(platform, code)}/secret",
        headers=world.maker_a.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    return body["username"], body["secret"]


def basic(username: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()}


def commanded(client: TestClient, platform: Platform, world: World) -> Command:
    """The cube ordered, paid, and its printing commanded to p1 with its job document."""
    (part,) = upload(client, world, {"cube.stl": PART})
    priced = quote(client, world, part["id"], quantity=3)
    ordered = client.post(
        "/api/v1/quote-orders", json={"quote_ids": [priced["id"]]}, headers=world.alice.headers
    )
    return command_step(platform, ordered.json()["id"], "make", "p1")


def command_step(platform: Platform, order_id: str, step: str, machine: str) -> Command:
    """The paid order's work opened, and its ``step`` commanded to ``machine``."""
    settings = platform.settings
    writer = JobWriter(
        FileLinks(settings.secret_key, settings.base_url),
        platform.uploads,
        ArtifactStore.ARTIFACTS.under(settings.data_dir),
    )
    with platform.db.write() as session:
        order = session.get(Order, order_id)
        assert order is not None
        order.state = OrderState.PAID  # as the payment provider's callback would
        work_orders.open_work_orders(session)
        operation = session.scalar(select(Operation).where(Operation.step == step))
        assert operation is not None
        dispatch = service.issue_command(
            session,
            machine_id(platform, machine),
            operation.id,
            nominal_s=60,
            lease_s=600,
            job=partial(writer.write, session, operation, 60),
        )
    return dispatch.command


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_the_commanded_machine_fetches_its_file_and_its_hash_matches(
    client: TestClient, platform: Platform, shop: World
) -> None:
    command = commanded(client, platform, shop)
    job = command.job
    assert job is not None
    assert job.product == "Custom part (from your CAD file)"
    assert job.quantity == 3
    assert job.material == "PLA"
    assert job.operation.capability == "fdm-print"
    assert {s.label: s.text for s in job.configuration}["File"] == "cube.stl"
    assert "upload_id" not in {s.option for s in job.configuration}  # words, not ids
    artifact = job.artifact
    assert artifact is not None
    assert artifact.expires == command.lease_expires
    fetched = client.get(path_of(artifact.url), headers=basic(*login(client, shop, "p1")))
    assert fetched.status_code == 200, fetched.text
    assert fetched.content == PART
    assert artifact.size == len(PART)
    assert artifact.sha256 == hashlib.sha256(PART).hexdigest()


def test_another_machine_a_bad_signature_an_expired_link_and_a_wrong_secret_are_refused(
    client: TestClient, platform: Platform, shop: World
) -> None:
    command = commanded(client, platform, shop)
    assert command.job is not None
    assert command.job.artifact is not None
    url = path_of(command.job.artifact.url)
    p1 = login(client, shop, "p1")
    other = client.get(url, headers=basic(*login(client, shop, "p2")))
    assert other.status_code == 404  # as if there were no such file
    assert other.headers["content-type"] == "application/problem+json"
    forged = client.get(url[:-4] + "0000", headers=basic(*p1))
    assert forged.status_code == 403
    settings = platform.settings
    past = int(utcnow().timestamp() * 1000) - 1
    expired = FileLinks(settings.secret_key, settings.base_url).link(command.operation_id, past)
    gone = client.get(path_of(expired), headers=basic(*p1))
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    assert "expired" in gone.json()["detail"]
    assert client.get(url, headers=basic(p1[0], "guess")).status_code == 401
    assert client.get(url).status_code == 401
    assert client.get(url, headers=basic(*p1)).status_code == 200


def test_a_new_secret_replaces_the_old_one(
    client: TestClient, platform: Platform, shop: World
) -> None:
    command = commanded(client, platform, shop)
    assert command.job is not None
    assert command.job.artifact is not None
    url = path_of(command.job.artifact.url)
    first = login(client, shop, "p1")
    second = login(client, shop, "p1")
    assert first[0] == second[0] == "alpha-f/p1"
    assert client.get(url, headers=basic(*first)).status_code == 401
    assert client.get(url, headers=basic(*second)).status_code == 200


def test_only_owners_of_the_factory_give_machines_secrets(
    client: TestClient, platform: Platform, shop: World
) -> None:
    target = f"/api/v1/machines/{machine_id(platform, 'p1')}/secret"
    for stranger in (shop.alice, shop.maker_b):
        refused = client.post(target, headers=stranger.headers)
        assert refused.status_code == 404
        assert refused.headers["content-type"] == "application/problem+json"
    assert client.post(target).status_code == 401
    assert (
        client.post("/api/v1/machines/nope/secret", headers=shop.maker_a.headers).status_code == 404
    )
    assert client.post(target, headers=shop.owner.headers).status_code == 200


PLATE = {
    "length": 150,
    "width": 60,
    "thickness": 4,
    "hole_count": 4,
    "hole_diameter": 6,
    "material": "aluminium",
    "finish": "anodized",
    "tolerance": "medium",
}


def test_a_configured_plate_is_milled_from_an_stl_made_from_its_dimensions(
    client: TestClient, platform: Platform, shop: World
) -> None:
    order = order_design(client, shop, MOUNTING_PLATE, PLATE)
    command = command_step(platform, str(order["id"]), "mill", "m1")
    job = command.job
    assert job is not None
    assert job.product == "Parametric mounting plate"
    assert job.material == "aluminium"
    words = {setting.label: setting.text for setting in job.configuration}
    assert words["Length"] == "150 mm"
    assert words["Tolerance class (ISO 2768)"] == "medium"
    assert job.operation.name == "Mill contour and holes"
    artifact = job.artifact
    assert artifact is not None
    assert artifact.media_type == "model/stl"
    fetched = client.get(path_of(artifact.url), headers=basic(*login(client, shop, "m1")))
    assert fetched.status_code == 200, fetched.text
    assert hashlib.sha256(fetched.content).hexdigest() == artifact.sha256
    plate = trimesh.load(io.BytesIO(fetched.content), file_type="stl")
    assert plate.is_watertight
    assert list(plate.extents) == pytest.approx([150, 60, 4])
    holes = 4 * math.pi * 3**2 * 4
    assert plate.volume == pytest.approx(150 * 60 * 4 - holes, rel=0.01)
