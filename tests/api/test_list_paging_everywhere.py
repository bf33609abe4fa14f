"""Every list pages the same way: a client that follows ``rel="next"`` with a small ``limit``
sees each item once, on members, proposals, a maker's machines and offers, routed jobs,
statement postings and feedback answers; and a walk while items are added misses none."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient

from c2m.bootstrap import Platform
from c2m.domains.platform.models import Membership
from c2m.kernel.keyset import Key
from tests.api.test_after_delivery import delivered, rate
from tests.api.test_circles import pooled_circle
from tests.api.test_list_paging import walk
from tests.api.test_maker_offers import network, route
from tests.api.test_makers import add_printer, join
from tests.api.test_statements import books
from tests.conftest import Person, World, add_person

PROBLEM_JSON = "application/problem+json"


def paged(url: str, limit: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}limit={limit}"


def walk_once(client: TestClient, person: Person, url: str, key: str = "id") -> list[Any]:
    """The ``key`` of every item of a walk by ``limit=2`` pages, asserting none comes twice."""
    seen = [item[key] for item in walk(client, person, paged(url, 2))]
    assert len(seen) == len(set(seen)), seen
    return seen


def whole(client: TestClient, person: Person, url: str, key: str = "id") -> list[Any]:
    """The same list in one page of 200, the most a page holds."""
    response = client.get(paged(url, 200), headers=person.headers)
    assert response.status_code == 200, response.text
    assert "Link" not in response.headers
    return [item[key] for item in response.json()]


def test_enterprise_members_page_in_the_order_they_joined(
    platform: Platform, client: TestClient, world: World
) -> None:
    joined = [add_person(platform, f"member{n}") for n in range(4)]
    for person in joined:
        with platform.db.write() as session:
            session.add(Membership(user_id=person.user.id, enterprise_id=world.enterprise_a.id))
    url = f"/api/v1/enterprises/{world.enterprise_a.id}/members"
    seen = walk_once(client, world.maker_a, url, "user_id")
    assert seen == [world.maker_a.user.id] + [p.user.id for p in joined]


def test_circle_proposals_page(client: TestClient, world: World) -> None:
    circle_id, proposals = pooled_circle(client, world)
    url = f"/api/v1/circles/{circle_id}/proposals"
    first = client.get(f"{url}?limit=1", headers=world.alice.headers)
    assert len(first.json()) == 1
    assert httpx.URL(first.links["next"]["url"]).params["limit"] == "1"
    assert sorted(walk_once(client, world.alice, url)) == sorted(p["id"] for p in proposals)


def test_a_makers_machines_page_and_filter_by_state(client: TestClient, world: World) -> None:
    join(client, world.alice)
    added = [add_printer(client, world.alice, code=f"prusa-{n}")["id"] for n in range(5)]
    url = "/api/v1/makers/me/machines"
    assert walk_once(client, world.alice, url) == added
    offline = whole(client, world.alice, f"{url}?state=offline")
    assert offline == added  # none has said hello yet
    assert whole(client, world.alice, f"{url}?state=running") == []


def test_offers_and_routed_jobs_page_and_filter_by_state(client: TestClient, world: World) -> None:
    network(client, world)
    jobs = [route(client, world, title=f"Clip {n}")["id"] for n in range(5)]
    offers = walk_once(client, world.alice, "/api/v1/makers/me/offers")
    assert len(offers) == 5
    assert walk_once(client, world.owner, "/api/v1/routed-jobs") == jobs

    before_answer = datetime.now(UTC).isoformat()
    declined = client.post(
        f"/api/v1/makers/me/offers/{offers[0]}/decline",
        json={"reason": "Out of filament"},
        headers=world.alice.headers,
    )
    assert declined.status_code == 200, declined.text
    offers_url = "/api/v1/makers/me/offers"
    assert whole(client, world.alice, f"{offers_url}?state=offered") == offers[1:]
    assert whole(client, world.alice, f"{offers_url}?state=declined") == offers[:1]
    changed = client.get(
        offers_url, params={"updated_since": before_answer}, headers=world.alice.headers
    )
    assert [o["id"] for o in changed.json()] == offers[:1]
    assert whole(client, world.owner, "/api/v1/routed-jobs?state=offered") == jobs
    assert whole(client, world.owner, "/api/v1/routed-jobs?state=unplaced") == []
    assert (
        client.get("/api/v1/routed-jobs?state=lost", headers=world.owner.headers).status_code == 422
    )


def test_statement_postings_page_and_agree_with_the_csv(
    platform: Platform, client: TestClient, world: World
) -> None:
    books(client, platform, world)
    url = f"/api/v1/enterprises/{world.enterprise_a.id}/statements/postings?account=Liabilities:"
    walked = walk(client, world.maker_a, f"{url}&limit=2")
    assert len(walked) > 2
    download = client.get(f"{url}&format=csv&limit=2", headers=world.maker_a.headers)
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == len(walked)  # the download is every posting, not one page
    lines = sorted((str(p["seq"]), str(p["account"])) for p in walked)
    assert lines == sorted((row["seq"], row["account"]) for row in rows)
    base = f"/api/v1/enterprises/{world.enterprise_a.id}/statements/postings"
    odd = client.get(f"{base}?account=%00", headers=world.maker_a.headers)
    assert odd.status_code == 422  # not a name any account has
    assert odd.headers["content-type"] == PROBLEM_JSON


def test_feedback_answers_page_and_a_changed_answer_is_found_again(
    client: TestClient, world: World
) -> None:
    orders = delivered(client, world, 3)
    for order_id in orders:
        assert rate(client, world, order_id, 9) == 200
    url = f"/api/v1/enterprises/{world.enterprise_a.id}/feedback/answers"
    assert walk_once(client, world.maker_a, url, "order_id") == orders
    before_change = datetime.now(UTC).isoformat()
    assert rate(client, world, orders[1], 3, "Broke after a week") == 200
    changed = client.get(
        url, params={"updated_since": before_change}, headers=world.maker_a.headers
    )
    assert [f["order_id"] for f in changed.json()] == [orders[1]]
    stranger = client.get(url, headers=world.maker_b.headers)
    assert stranger.status_code in (403, 404)


def test_a_walk_with_jobs_routed_between_pages_skips_and_repeats_nothing(
    client: TestClient, world: World
) -> None:
    network(client, world)
    at_start = [route(client, world, title=f"Clip {n}")["id"] for n in range(6)]
    arrived: list[str] = []
    seen: list[str] = []
    next_url: str | None = "/api/v1/routed-jobs?limit=2"
    while next_url is not None:
        page = client.get(next_url, headers=world.owner.headers)
        assert page.status_code == 200, page.text
        seen += [job["id"] for job in page.json()]
        link = page.links.get("next")
        next_url = link["url"] if link else None
        if len(arrived) < 3:
            arrived.append(route(client, world, title="Late clip")["id"])
    assert len(seen) == len(set(seen))
    assert seen == at_start + arrived  # oldest first: what arrived during the walk comes last


def test_a_cursor_made_for_another_kind_of_list_is_refused(
    client: TestClient, world: World
) -> None:
    base = f"/api/v1/enterprises/{world.enterprise_a.id}"
    now = datetime.now(UTC)
    for path, cursor in (
        ("members?", Key(now, 7).encode()),  # postings are numbered, members are not
        ("statements/postings?account=Liabilities:&", Key(now, "a1b2").encode()),
    ):
        refused = client.get(f"{base}/{path}cursor={cursor}", headers=world.maker_a.headers)
        assert refused.status_code == 422, path
        assert refused.headers["content-type"] == PROBLEM_JSON
        assert "start the walk again" in refused.json()["detail"]


def test_the_openapi_document_describes_paging_on_every_new_list(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/enterprises/{enterprise_id}/members",
        "/api/v1/circles/{circle_id}/proposals",
        "/api/v1/makers/me/machines",
        "/api/v1/makers/me/offers",
        "/api/v1/routed-jobs",
        "/api/v1/enterprises/{enterprise_id}/statements/postings",
        "/api/v1/enterprises/{enterprise_id}/feedback/answers",
    ):
        operation = paths[path]["get"]
        assert {"cursor", "limit", "updated_since"} <= {p["name"] for p in operation["parameters"]}
        assert {"Link", "X-Next-Cursor"} <= operation["responses"]["200"]["headers"].keys()
