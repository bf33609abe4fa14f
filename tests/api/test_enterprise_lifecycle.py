"""Opening a micro-enterprise and running its team through the API: apply, the platform owner's
decision, invitation links, roles, and the refusals that keep tenants apart."""

from __future__ import annotations

import threading
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from c2m.bootstrap import Platform
from c2m.domains.platform.models import Invitation
from c2m.kernel.clock import utcnow
from tests.conftest import Person, World

APPLY = "/api/v1/enterprise-applications"


def _apply(client: TestClient, person: Person, slug: str = "oak-and-ash") -> dict:
    body = {"name": "Oak & Ash", "slug": slug, "pitch": "Made-to-measure oak shelves for flats."}
    response = client.post(APPLY, json=body, headers=person.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _approve(client: TestClient, world: World, application_id: str) -> dict:
    response = client.post(
        f"{APPLY}/{application_id}/decision",
        json={"approve": True, "note": "Welcome"},
        headers=world.owner.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _invite(client: TestClient, person: Person, enterprise_id: str) -> tuple[str, str]:
    """A new member's link: (its id, the secret at the end of its URL)."""
    response = client.post(
        f"/api/v1/enterprises/{enterprise_id}/invitations",
        json={"role": "member", "days": 7},
        headers=person.headers,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    return created["id"], created["url"].rsplit("/", 1)[-1]


def _members(client: TestClient, person: Person, enterprise_id: str) -> dict[str, str]:
    response = client.get(f"/api/v1/enterprises/{enterprise_id}/members", headers=person.headers)
    assert response.status_code == 200, response.text
    return {m["email"]: m["role"] for m in response.json()}


def test_an_approved_applicant_owns_the_enterprise_and_invites_a_member(
    client: TestClient, world: World
) -> None:
    application = _apply(client, world.alice)
    assert application["status"] == "pending"
    assert client.get(APPLY, headers=world.alice.headers).json()[0]["id"] == application["id"]
    assert client.get(APPLY, headers=world.bob.headers).json() == []

    decided = _approve(client, world, application["id"])
    assert decided["status"] == "approved"
    enterprise_id = decided["enterprise_id"]
    me = client.get("/api/v1/me", headers=world.alice.headers).json()
    assert "enterprise-owner" in me["roles"]  # at once: the token cache forgot her

    _, token = _invite(client, world.alice, enterprise_id)
    preview = client.get(f"/api/v1/invitations/{token}", headers=world.bob.headers).json()
    assert preview["enterprise_name"] == "Oak & Ash"
    joined = client.post(f"/api/v1/invitations/{token}/accept", headers=world.bob.headers)
    assert joined.status_code == 201
    assert _members(client, world.bob, enterprise_id) == {
        "alice@example.com": "owner",
        "bob@example.com": "member",
    }
    again = client.post(f"/api/v1/invitations/{token}/accept", headers=world.maker_b.headers)
    assert again.status_code == 404
    assert "new one" in again.json()["detail"]


def test_applications_are_checked_and_decided_once_by_the_platform_owner(
    client: TestClient, world: World
) -> None:
    application = _apply(client, world.alice)
    second = client.post(
        APPLY,
        json={"name": "Other", "slug": "other", "pitch": "Something else entirely."},
        headers=world.alice.headers,
    )
    assert second.status_code == 409
    taken = client.post(
        APPLY,
        json={"name": "Alpha again", "slug": "alpha", "pitch": "The slug of Alpha Works."},
        headers=world.bob.headers,
    )
    assert taken.status_code == 409
    assert "taken" in taken.json()["detail"]
    bad = client.post(
        APPLY,
        json={"name": "X", "slug": "Not A Slug", "pitch": "short"},
        headers=world.bob.headers,
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")

    not_owner = client.post(
        f"{APPLY}/{application['id']}/decision",
        json={"approve": True},
        headers=world.maker_a.headers,
    )
    assert not_owner.status_code == 403
    declined = client.post(
        f"{APPLY}/{application['id']}/decision",
        json={"approve": False, "note": "Tell us more about your machines."},
        headers=world.owner.headers,
    )
    assert declined.json()["status"] == "declined"
    assert declined.json()["enterprise_id"] is None
    twice = client.post(
        f"{APPLY}/{application['id']}/decision",
        json={"approve": True},
        headers=world.owner.headers,
    )
    assert twice.status_code == 409
    _apply(client, world.alice)  # a declined applicant may try again


def test_only_owners_run_the_team_and_the_last_owner_stays(
    client: TestClient, world: World
) -> None:
    alpha = world.enterprise_a.id
    team = f"/api/v1/enterprises/{alpha}"
    stranger = client.get(f"{team}/members", headers=world.alice.headers)
    assert stranger.status_code == 404  # another tenant's team does not exist for her
    _, token = _invite(client, world.maker_a, alpha)
    client.post(f"/api/v1/invitations/{token}/accept", headers=world.alice.headers)

    member_invites = client.post(
        f"{team}/invitations", json={"role": "owner"}, headers=world.alice.headers
    )
    assert member_invites.status_code == 403
    promote = client.put(
        f"{team}/members/{world.alice.user.id}", json={"role": "owner"}, headers=world.alice.headers
    )
    assert promote.status_code == 403

    maker, owner = world.maker_a.user.id, world.maker_a.headers
    last = client.put(
        f"{team}/members/{maker}", json={"role": "member"}, headers=world.maker_a.headers
    )
    assert last.status_code == 409
    assert "at least one owner" in last.json()["detail"]
    leave = client.delete(f"{team}/members/{maker}", headers=owner)
    assert leave.status_code == 409

    promoted = client.put(
        f"{team}/members/{world.alice.user.id}",
        json={"role": "owner"},
        headers=world.maker_a.headers,
    )
    assert promoted.json()["role"] == "owner"
    assert (
        client.delete(f"{team}/members/{maker}", headers=world.maker_a.headers).status_code == 204
    )
    assert _members(client, world.alice, alpha) == {"alice@example.com": "owner"}
    gone = client.get(f"{team}/members", headers=owner)
    assert gone.status_code == 404  # the one who left is a stranger at once


def test_withdrawn_and_expired_links_cannot_be_used(
    client: TestClient, world: World, platform: Platform
) -> None:
    alpha = world.enterprise_a.id
    withdrawn_id, withdrawn = _invite(client, world.maker_a, alpha)
    _, expired = _invite(client, world.maker_a, alpha)
    revoked = client.delete(
        f"/api/v1/enterprises/{alpha}/invitations/{withdrawn_id}", headers=world.maker_a.headers
    )
    assert revoked.json()["state"] == "revoked"
    with platform.db.write() as session:
        session.execute(
            update(Invitation)
            .where(Invitation.id != withdrawn_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    for token in (withdrawn, expired):
        refused = client.post(f"/api/v1/invitations/{token}/accept", headers=world.alice.headers)
        assert refused.status_code == 404
    listed = client.get(f"/api/v1/enterprises/{alpha}/invitations", headers=world.maker_a.headers)
    assert sorted(i["state"] for i in listed.json()) == ["expired", "revoked"]


def test_a_link_opened_by_two_people_at_once_admits_one(client: TestClient, world: World) -> None:
    _, token = _invite(client, world.maker_a, world.enterprise_a.id)
    answers: list[int] = []
    start = threading.Barrier(2)

    def accept(person: Person) -> None:
        start.wait()
        url = f"/api/v1/invitations/{token}/accept"
        answers.append(client.post(url, headers=person.headers).status_code)

    threads = [threading.Thread(target=accept, args=(p,)) for p in (world.alice, world.bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [201, 404]
    assert len(_members(client, world.maker_a, world.enterprise_a.id)) == 2
