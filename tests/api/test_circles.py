"""Circles through the API: demands pooled into proposals, "your model", and who may do what
(issue 7, acceptance 4: members-only content, one vote per person, owner-only moderation)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from c2m.demo.templates import SHIRT
from tests.api.test_access_control import log_in
from tests.conftest import Person, World, publish_template


def shirt_template(client: TestClient | httpx.Client, world: World) -> str:
    """Enterprise A publishes the shirt template; its id."""
    return publish_template(client, world, SHIRT)


def open_circle(
    client: TestClient | httpx.Client, world: World, visibility: str = "public"
) -> dict[str, Any]:
    """Enterprise A's owner opens a shirt circle; alice and bob join it."""
    circle = client.post(
        f"/api/v1/enterprises/{world.enterprise_a.id}/circles",
        json={
            "template_id": shirt_template(client, world),
            "title": "Shirts for tall people",
            "visibility": visibility,
        },
        headers=world.maker_a.headers,
    )
    assert circle.status_code == 201, circle.text
    for person in (world.alice, world.bob):
        joined = client.put(
            f"/api/v1/circles/{circle.json()['id']}/membership", headers=person.headers
        )
        assert joined.status_code == 200, joined.text
    result: dict[str, Any] = circle.json()
    return result


def demand(
    client: TestClient | httpx.Client, circle_id: str, person: Person, **values: object
) -> dict[str, Any]:
    posted = client.post(
        f"/api/v1/circles/{circle_id}/demands",
        json={"configuration": values, "words": "I am tall"},
        headers=person.headers,
    )
    assert posted.status_code == 201, posted.text
    result: dict[str, Any] = posted.json()
    return result


def aggregate(client: TestClient | httpx.Client, world: World, circle_id: str, k: int) -> None:
    run = client.post(
        f"/api/v1/circles/{circle_id}/aggregations", json={"k": k}, headers=world.maker_a.headers
    )
    assert run.status_code == 201, run.text


def pooled_circle(client: TestClient | httpx.Client, world: World) -> tuple[str, list[Any]]:
    """A circle with a short and a long group of sleeves, pooled into two proposals."""
    circle_id = open_circle(client, world)["id"]
    demand(client, circle_id, world.alice, sleeve=655, collar="kent")
    demand(client, circle_id, world.alice, sleeve=650)
    demand(client, circle_id, world.bob, sleeve=740, collar="cutaway")
    demand(client, circle_id, world.bob, sleeve=745)
    aggregate(client, world, circle_id, 2)
    listed = client.get(f"/api/v1/circles/{circle_id}/proposals", headers=world.alice.headers)
    assert listed.status_code == 200, listed.text
    return circle_id, listed.json()


def test_every_member_sees_which_model_is_theirs_and_what_differs(
    client: TestClient, world: World
) -> None:
    circle_id, proposals = pooled_circle(client, world)
    assert len(proposals) == 2
    short = next(p for p in proposals if p["configuration"]["sleeve"] < 700)
    long = next(p for p in proposals if p["configuration"]["sleeve"] > 700)
    assert short["configuration"]["collar"] == "kent"
    assert long["configuration"]["collar"] == "cutaway"
    assert long["yours"] == []  # alice asked for short sleeves only
    summaries = [y["summary"] for y in short["yours"]]
    assert len(summaries) == 2
    assert any("collar as you asked" in s for s in summaries), summaries
    assert any(s.startswith("sleeve ") and "mm" in s for s in summaries), summaries

    bobs = client.get(f"/api/v1/circles/{circle_id}/proposals", headers=world.bob.headers).json()
    assert [len(p["yours"]) for p in bobs if p["configuration"]["sleeve"] > 700] == [2]

    csrf = log_in(client, world.maker_a.user.email)
    assert csrf
    page = client.get(f"/circles/{circle_id}/owner")
    assert page.status_code == 200
    assert page.text.count("<svg") == 2  # the coverage curve and the map
    assert page.text.count('<circle class="demand"') == 4  # one dot per demand


def test_a_demand_is_checked_against_the_template(client: TestClient, world: World) -> None:
    circle_id = open_circle(client, world)["id"]
    for values, named in (({"sleeve": 9000}, "sleeve"), ({"collar": "ruff"}, "collar")):
        refused = client.post(
            f"/api/v1/circles/{circle_id}/demands",
            json={"configuration": values},
            headers=world.alice.headers,
        )
        assert refused.status_code == 422
        assert named in refused.json()["detail"]
    between_steps = demand(client, circle_id, world.alice, sleeve=652.5)
    assert between_steps["configuration"] == {"sleeve": 652.5}


def test_members_only_content_is_seen_by_members_only(client: TestClient, world: World) -> None:
    circle = open_circle(client, world, visibility="members")
    circle_id = circle["id"]
    demand(client, circle_id, world.alice, sleeve=655)
    stranger = world.maker_b.headers
    listed = client.get("/api/v1/circles", headers=stranger).json()
    assert [c["title"] for c in listed] == ["Shirts for tall people"]  # the title is public
    for path in ("demands", "comments", "proposals"):
        assert (
            client.get(f"/api/v1/circles/{circle_id}/{path}", headers=stranger).status_code == 404
        )
        assert client.get(f"/api/v1/circles/{circle_id}/{path}").status_code == 404
        assert client.get(
            f"/api/v1/circles/{circle_id}/{path}", headers=world.bob.headers
        ).is_success
    page = client.get(f"/circles/{circle_id}", headers=stranger).text
    assert "join it to see" in page
    assert "I am tall" not in page
    posted = client.post(
        f"/api/v1/circles/{circle_id}/demands", json={"configuration": {}}, headers=stranger
    )
    assert posted.status_code == 404

    client.put(f"/api/v1/circles/{circle_id}/membership", headers=stranger)
    seen = client.get(f"/api/v1/circles/{circle_id}/demands", headers=stranger)
    assert [d["words"] for d in seen.json()] == ["I am tall"]
    assert (
        client.delete(f"/api/v1/circles/{circle_id}/membership", headers=stranger).status_code
        == 204
    )
    assert client.get(f"/api/v1/circles/{circle_id}/demands", headers=stranger).status_code == 404


def test_taking_part_needs_joining(client: TestClient, world: World) -> None:
    circle_id = open_circle(client, world)["id"]
    alices = demand(client, circle_id, world.alice, sleeve=655)
    outsider = world.maker_b.headers
    assert client.get(f"/api/v1/circles/{circle_id}/demands", headers=outsider).is_success
    for path, body in (
        ("demands", {"configuration": {}}),
        (f"items/{alices['id']}/comments", {"text": "me too"}),
        (f"items/{alices['id']}/vote", None),
    ):
        answer = client.post(f"/api/v1/circles/{circle_id}/{path}", json=body, headers=outsider)
        assert answer.status_code == 403, path


def test_a_vote_counts_once_and_only_for_the_voter(client: TestClient, world: World) -> None:
    circle_id = open_circle(client, world)["id"]
    alices = demand(client, circle_id, world.alice, sleeve=655)
    vote = f"/api/v1/circles/{circle_id}/items/{alices['id']}/vote"

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: client.post(vote, headers=world.bob.headers), range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    assert client.post(vote, headers=world.bob.headers).status_code == 409
    # A vote names no voter: whatever the body says, bob's vote is bob's (and already cast).
    for_alice = client.post(vote, json={"user_id": world.alice.user.id}, headers=world.bob.headers)
    assert for_alice.status_code == 409
    votes = client.get(f"/api/v1/circles/{circle_id}/demands", headers=world.alice.headers).json()
    assert (votes[0]["votes"], votes[0]["voted"]) == (1, False)

    assert client.post(vote, headers=world.alice.headers).json()["votes"] == 2
    assert client.delete(vote, headers=world.bob.headers).json()["votes"] == 1
    assert client.delete(vote, headers=world.bob.headers).status_code == 404


def test_moderation_is_for_the_owners_only(client: TestClient, world: World) -> None:
    circle_id = open_circle(client, world)["id"]
    alices = demand(client, circle_id, world.alice, sleeve=655)
    hide = f"/api/v1/circles/{circle_id}/items/{alices['id']}/hidden"
    lock = f"/api/v1/circles/{circle_id}/locked"
    for person in (world.alice, world.bob, world.maker_b):
        assert client.put(hide, json={"hidden": True}, headers=person.headers).status_code == 403
        assert client.put(lock, json={"locked": True}, headers=person.headers).status_code == 403
    assert client.put(hide, json={"hidden": True}, headers=world.maker_a.headers).status_code == 204
    seen_by_bob = client.get(f"/api/v1/circles/{circle_id}/demands", headers=world.bob.headers)
    assert seen_by_bob.json() == []
    seen_by_owner = client.get(
        f"/api/v1/circles/{circle_id}/demands", headers=world.maker_a.headers
    )
    assert [d["hidden"] for d in seen_by_owner.json()] == [True]
    voted = client.post(
        f"/api/v1/circles/{circle_id}/items/{alices['id']}/vote", headers=world.bob.headers
    )
    assert voted.status_code == 404

    locked = client.put(lock, json={"locked": True}, headers=world.maker_a.headers)
    assert locked.json()["locked"] is True
    refused = client.post(
        f"/api/v1/circles/{circle_id}/demands",
        json={"configuration": {}},
        headers=world.bob.headers,
    )
    assert refused.status_code == 409
    assert "locked" in refused.json()["detail"]


def test_only_owners_open_circles_and_run_aggregations(client: TestClient, world: World) -> None:
    template_id = shirt_template(client, world)
    body = {"template_id": template_id, "title": "Mine"}
    path = f"/api/v1/enterprises/{world.enterprise_a.id}/circles"
    assert client.post(path, json=body, headers=world.alice.headers).status_code == 404
    other = f"/api/v1/enterprises/{world.enterprise_b.id}/circles"
    assert client.post(other, json=body, headers=world.maker_b.headers).status_code == 404
    circle_id = client.post(path, json=body, headers=world.maker_a.headers).json()["id"]
    client.put(f"/api/v1/circles/{circle_id}/membership", headers=world.alice.headers)
    demand(client, circle_id, world.alice, sleeve=700)
    run = f"/api/v1/circles/{circle_id}/aggregations"
    assert client.post(run, json={"k": 1}, headers=world.alice.headers).status_code == 403
    assert client.post(run, json={"k": 1}, headers=world.maker_a.headers).status_code == 201


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_circle_page_shows_demands_and_proposals(client: TestClient, world: World) -> None:
    circle_id, _ = pooled_circle(client, world)
    log_in(client, world.alice.user.email)
    page = client.get(f"/circles/{circle_id}")
    assert page.status_code == 200
    assert page.text.count('class="card demand ') == 4
    assert page.text.count("Your model:") == 2
    assert "Shirts for tall people" in client.get("/circles").text


def authors(client: TestClient, circle_id: str, headers: dict[str, str]) -> list[list[str]]:
    """Who wrote each demand, then each comment, as the holder of ``headers`` sees it."""
    return [
        [
            row["author"]
            for row in client.get(f"/api/v1/circles/{circle_id}/{path}", headers=headers).json()
        ]
        for path in ("demands", "comments")
    ]


def test_members_see_their_own_demands_by_name_and_the_others_numbered(
    client: TestClient, world: World
) -> None:
    circle_id = open_circle(client, world)["id"]
    demand(client, circle_id, world.bob, sleeve=740, chest=1100)
    alices = demand(client, circle_id, world.alice, sleeve=655)
    comment = f"/api/v1/circles/{circle_id}/items/{alices['id']}/comments"
    assert client.post(comment, json={"text": "Same here"}, headers=world.bob.headers).is_success

    assert authors(client, circle_id, world.alice.headers) == [["Member 1", "Alice"], ["Member 1"]]
    assert authors(client, circle_id, world.bob.headers) == [["Bob", "Member 2"], ["Bob"]]
    for stranger in ({}, world.maker_a.headers):  # a passer-by, the circle's owner
        assert authors(client, circle_id, stranger) == [["Member 1", "Member 2"], ["Member 1"]]
    client.delete(f"/api/v1/circles/{circle_id}/membership", headers=world.bob.headers)
    assert authors(client, circle_id, world.alice.headers)[0] == ["Member 1", "Alice"]

    log_in(client, world.alice.user.email)
    page = client.get(f"/circles/{circle_id}").text
    assert "Bob" not in page
    assert "<strong>Member 1</strong>" in page
    assert "<strong>Alice</strong> (you)" in page


def image(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def test_a_demand_gets_a_picture_checked_by_its_content(client: TestClient, world: World) -> None:
    circle_id = open_circle(client, world)["id"]
    alices = demand(client, circle_id, world.alice, sleeve=655)
    path = f"/api/v1/circles/{circle_id}/demands/{alices['id']}/picture"
    png = image("PNG")
    sent = client.put(
        path, content=png, headers={**world.alice.headers, "Content-Type": "image/png"}
    )
    assert sent.status_code == 204, sent.text
    seen = client.get(path)  # a public circle: anyone sees it
    assert (seen.content, seen.headers["content-type"]) == (png, "image/png")
    listed = client.get(f"/api/v1/circles/{circle_id}/demands").json()
    assert listed[0]["picture_url"] == path

    jpeg = image("JPEG")  # the content decides, not the header
    assert client.put(path, content=jpeg, headers=world.alice.headers).status_code == 204
    assert client.get(path).headers["content-type"] == "image/jpeg"

    for bad in (b"<svg onload=alert(1)>", png[:60], image("GIF"), image("PNG", (5000, 5000))):
        refused = client.put(path, content=bad, headers=world.alice.headers)
        assert refused.status_code == 422, refused.text
    huge = client.put(path, content=b"\x89PNG" + bytes(2_000_000), headers=world.alice.headers)
    assert huge.status_code == 413
    assert client.put(path, content=png, headers=world.bob.headers).status_code == 404
    assert client.get(path).headers["content-type"] == "image/jpeg"  # unchanged by the refusals
