"""Issue 3 through the API: templates per micro-enterprise, configuring, designs and their orders.

Runs on SQLite and PostgreSQL. Prices, lead times and routings are the hand-computed examples of
docs/catalog.md, so a change in the engine or in the JSON round trip shows up here.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from c2m.demo.templates import REFRIGERATOR
from c2m.domains.catalog.schemas import TemplateDefinition
from tests.conftest import Person, World

FRIDGE = TemplateDefinition.of(REFRIGERATOR).model_dump(mode="json")
HAND_PRICED = {  # docs/catalog.md: 111,900 cents, 13 days
    "capacity": 400,
    "width": 75,
    "doors": 2,
    "panel": "steel",
    "colour": "black",
    "ice_maker": True,
    "engraving": "Ada",
}


def create(
    client: TestClient, person: Person, enterprise_id: str, published: bool = True, **changes: Any
) -> Any:
    response = client.post(
        f"/api/v1/enterprises/{enterprise_id}/templates",
        json={"definition": {**FRIDGE, **changes}, "published": published},
        headers=person.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def configure(client: TestClient, template_id: str, **body: Any) -> Any:
    response = client.post(f"/api/v1/templates/{template_id}/configure", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def state(answer: Any, option: str) -> Any:
    return next(s for s in answer["options"] if s["option"] == option)


def test_a_member_creates_a_template_and_anyone_configures_it(
    client: TestClient, world: World
) -> None:
    made = create(client, world.maker_a, world.enterprise_a.id)
    assert made["version"] == 1
    assert made["definition"] == FRIDGE  # the JSON round trip loses nothing
    product = client.get(f"/api/v1/products/{made['product_id']}").json()
    assert product["unit_price"] == 64_900  # the default configuration: 300 l, one door, painted

    answer = configure(client, made["id"], choices={"doors": 1, "panel": "glass", "width": 60})
    assert answer["consistent"]
    ice = state(answer, "ice_maker")
    assert ice["excluded"] == [
        {
            "first": True,
            "last": True,
            "rule_ids": ["ice-maker-needs-freezer-door"],
            "reason": "An ice maker sits in the freezer door: choose at least two doors",
        }
    ]
    colours = {e["first"]: e["rule_ids"] for e in state(answer, "colour")["excluded"]}
    assert colours == {"red": ["glass-colours"], "sage": ["glass-colours"]}
    capacity = state(answer, "capacity")
    assert capacity["allowed"] == [{"first": 200, "last": 300}]
    assert capacity["excluded"][0]["rule_ids"] == ["capacity-fits-width"]
    assert answer["configuration"]["ice_maker"] is False

    priced = configure(client, made["id"], choices=HAND_PRICED, quantity=5)
    assert priced["price"]["unit_price"] == 111_900
    assert priced["price"]["discounted_unit_price"] == 106_305
    assert priced["price"]["total"] == 531_525
    assert priced["lead_time"]["days"] == 13
    assert [(op["id"], op["minutes"]) for op in priced["routing"]] == [
        ("cut", 150),
        ("foam", 250),
        ("engrave", 80),
        ("ice-maker", 125),
        ("assemble", 450),
        ("inspect", 100),
        ("pack", 75),
    ]


def test_clashing_choices_are_repaired_keeping_the_last_one(
    client: TestClient, world: World
) -> None:
    template_id = create(client, world.maker_a, world.enterprise_a.id)["id"]
    clash = {"doors": 1, "ice_maker": True}
    reported = configure(client, template_id, choices=clash)
    assert not reported["consistent"]
    assert reported["conflict"] == ["ice-maker-needs-freezer-door"]
    assert reported["conflict_reasons"] == [
        "An ice maker sits in the freezer door: choose at least two doors"
    ]
    assert reported["price"] is None
    repaired = configure(client, template_id, choices=clash, keep=["ice_maker"])
    assert repaired["consistent"]
    assert repaired["changed"] == ["doors"]
    assert repaired["choices"] == {"ice_maker": True}
    assert repaired["configuration"]["doors"] == 2
    bad = client.post(f"/api/v1/templates/{template_id}/configure", json={"choices": {"doors": 9}})
    assert bad.status_code == 422
    assert "doors" in bad.json()["detail"]


def test_a_choice_says_what_else_it_changed_and_what_that_costs(
    client: TestClient, world: World
) -> None:
    """Issue 19: the ice maker moves doors and width; the answer names both, in words."""
    template_id = create(client, world.maker_a, world.enterprise_a.id)["id"]
    shown = configure(client, template_id)["configuration"]
    answer = configure(
        client, template_id, choices={"ice_maker": True}, keep=["ice_maker"], previous=shown
    )
    assert answer["forced"] == [
        {
            "option": "doors",
            "label": "Doors",
            "before": 1,
            "after": 2,
            "reasons": ["An ice maker sits in the freezer door: choose at least two doors"],
        },
        {
            "option": "width",
            "label": "Width",
            "before": 60,
            "after": 65,
            "reasons": ["Each door needs 10 cm of width on a 45 cm body"],
        },
    ]
    assert answer["price_change"] == 21_900  # the ice maker €99 and the second door €120
    quiet = configure(client, template_id, choices={"panel": "glass"}, previous=shown)
    assert quiet["forced"] == []
    assert quiet["price_change"] == 15_000  # white glass: nothing else moves
    shared = configure(client, template_id, choices=shown)  # a shared design: all chosen
    assert state(shared, "ice_maker")["excluded"][0]["first"] is True
    for option in shared["options"]:
        for exclusion in option["excluded"]:
            assert not any(rule_id in exclusion["reason"] for rule_id in exclusion["rule_ids"])


@pytest.mark.parametrize(
    ("changes", "culprit"),
    [
        ({"rules": [{"id": "typo", "condition": "widht > 60", "message": "x"}]}, "typo"),
        ({"rules": [{"id": "syntax", "condition": "width >", "message": "x"}]}, "syntax"),
        (
            {
                "rules": [
                    {"id": "up", "condition": "width > doors * 100", "message": "x"},
                ]
            },
            "up",
        ),
        (
            {"prices": [{"id": "zero", "label": "x", "amount": "1000 / (doors - 1)"}]},
            "zero",
        ),
    ],
    ids=["unknown-option", "syntax-error", "no-valid-configuration", "division-by-zero"],
)
def test_invalid_templates_are_refused_naming_the_rule(
    client: TestClient, world: World, changes: dict[str, Any], culprit: str
) -> None:
    response = client.post(
        f"/api/v1/enterprises/{world.enterprise_a.id}/templates",
        json={"definition": {**FRIDGE, **changes}},
        headers=world.maker_a.headers,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert culprit in problem["detail"]
    assert ["definition", culprit] in [e["loc"] for e in problem["errors"]]
    assert all(p["slug"] != FRIDGE["key"] for p in client.get("/api/v1/products").json())


def test_a_template_being_edited_is_previewed_and_its_faults_named_per_field(
    client: TestClient, world: World
) -> None:
    def preview(definition: dict[str, Any], **choices: Any) -> Any:
        body = {"definition": definition, "choices": choices}
        return client.post("/api/v1/template-previews", json=body, headers=world.maker_a.headers)

    priced = preview(FRIDGE, **HAND_PRICED)
    assert priced.status_code == 200, priced.text
    assert priced.json()["price"]["unit_price"] == 111_900  # as saved and configured
    blank_name = [{**FRIDGE["options"][0], "name": ""}, *FRIDGE["options"][1:]]
    refused = preview({**FRIDGE, "options": blank_name, "currency": "euro"})
    assert refused.status_code == 422, refused.text
    said = {tuple(e["loc"]): e["msg"] for e in refused.json()["errors"]}
    assert said[("options", "0", "number", "name")] == "cannot be empty"
    assert said[("currency",)] == "must be a three-letter currency code such as EUR"
    broken = [{**FRIDGE["prices"][0], "amount": "49900 + oops"}, *FRIDGE["prices"][1:]]
    unusable = preview({**FRIDGE, "prices": broken})
    assert unusable.status_code == 422
    assert ["definition", "base"] in [e["loc"] for e in unusable.json()["errors"]]
    assert client.post("/api/v1/template-previews", json={"definition": FRIDGE}).status_code == 401


def test_drafts_and_other_enterprises_templates_stay_private(
    client: TestClient, world: World
) -> None:
    draft = create(client, world.maker_a, world.enterprise_a.id, published=False)
    ea = world.enterprise_a.id
    for person in (world.alice, world.maker_b):
        assert (
            client.get(f"/api/v1/templates/{draft['id']}", headers=person.headers).status_code
            == 404
        )
        listed = client.get(f"/api/v1/enterprises/{ea}/templates", headers=person.headers).json()
        assert listed == []
        refused = client.post(
            f"/api/v1/templates/{draft['id']}/versions",
            json={"definition": FRIDGE, "published": True},
            headers=person.headers,
        )
        assert refused.status_code == 404
        elsewhere = client.post(
            f"/api/v1/enterprises/{ea}/templates",
            json={"definition": {**FRIDGE, "key": "intruder"}},
            headers=person.headers,
        )
        assert elsewhere.status_code == 404
    assert client.post(f"/api/v1/templates/{draft['id']}/configure", json={}).status_code == 404
    for person in (world.maker_a, world.owner):
        seen = client.get(f"/api/v1/enterprises/{ea}/templates", headers=person.headers).json()
        assert [t["id"] for t in seen] == [draft["id"]]


def test_an_edit_is_a_new_version_and_orders_keep_theirs(client: TestClient, world: World) -> None:
    made = create(client, world.maker_a, world.enterprise_a.id)
    saved = client.post(
        "/api/v1/designs",
        json={"template_id": made["id"], "name": "Kitchen", "configuration": HAND_PRICED},
        headers=world.alice.headers,
    )
    assert saved.status_code == 201, saved.text
    design = saved.json()
    assert design["version"] == 1

    dearer = {
        **FRIDGE,
        "prices": [{**FRIDGE["prices"][0], "amount": "59900"}, *FRIDGE["prices"][1:]],
    }
    edited = client.post(
        f"/api/v1/templates/{made['id']}/versions",
        json={"definition": dearer, "published": True},
        headers=world.maker_a.headers,
    )
    assert edited.status_code == 201, edited.text
    assert edited.json()["version"] == 2
    versions = client.get(f"/api/v1/templates/{made['id']}/versions").json()
    assert [v["version"] for v in versions] == [1, 2]
    assert client.get(f"/api/v1/templates/{made['id']}?version=1").json()["definition"] == FRIDGE

    ordered = client.post(
        f"/api/v1/designs/{design['id']}/order",
        headers={**world.alice.headers, "Idempotency-Key": "fridge-1"},
    )
    assert ordered.status_code == 201, ordered.text
    order = ordered.json()
    line = order["lines"][0]
    assert line["template_id"] == made["id"]
    assert line["template_version"] == 1
    assert line["configuration"] == HAND_PRICED
    assert line["unit_price"] == 111_900 == order["total"]
    assert line["pricing"]["price"]["total"] == 111_900
    assert line["pricing"]["lead_time"]["days"] == 13
    assert line["pricing"]["design_id"] == design["id"]
    assert [op["capability"] for op in line["routing"]] == [
        "sheet-cut",
        "foam-inject",
        "cnc-mill",
        "assemble",
        "assemble",
        "inspect",
        "pack",
    ]
    stored = client.get(f"/api/v1/orders/{order['id']}", headers=world.alice.headers).json()
    assert stored["lines"] == order["lines"]
    again = client.post(
        f"/api/v1/designs/{design['id']}/order",
        headers={**world.alice.headers, "Idempotency-Key": "fridge-1"},
    )
    assert again.json()["id"] == order["id"]


def test_a_shared_design_opens_for_others_but_stays_its_owners(
    client: TestClient, world: World
) -> None:
    template_id = create(client, world.maker_a, world.enterprise_a.id)["id"]
    design = client.post(
        "/api/v1/designs",
        json={"template_id": template_id, "name": "Mine", "configuration": {"doors": 3}},
        headers=world.alice.headers,
    ).json()
    assert design["configuration"]["doors"] == 3
    assert design["configuration"]["width"] == 75  # completed: 3 doors need 75 cm
    link = client.post(f"/api/v1/designs/{design['id']}/share", headers=world.alice.headers)
    assert link.status_code == 201
    token = link.json()["token"]
    assert link.json()["url"].endswith(f"/d/{token}")
    shared = client.get(f"/api/v1/shared-designs/{token}")
    assert shared.status_code == 200
    assert shared.json()["configuration"] == design["configuration"]
    page = client.get(f"/d/{token}")
    assert page.status_code == 200
    for personal in (world.alice.user.name, world.alice.user.email, world.alice.user.id):
        assert personal not in shared.text
        assert personal not in page.text
    assert client.get(f"/api/v1/shared-designs/{token}x").status_code == 404
    for call in ("GET", "POST"):
        url = f"/api/v1/designs/{design['id']}" + ("/order" if call == "POST" else "")
        assert client.request(call, url, headers=world.bob.headers).status_code == 404
        assert client.request(call, url, headers=world.maker_a.headers).status_code == 404
    assert client.get("/api/v1/designs", headers=world.bob.headers).json() == []
    refused = client.post(
        "/api/v1/designs",
        json={
            "template_id": template_id,
            "name": "x",
            "configuration": {"doors": 1, "ice_maker": True},
        },
        headers=world.bob.headers,
    )
    assert refused.status_code == 422
    assert "ice-maker-needs-freezer-door" in str(refused.json()["errors"])
