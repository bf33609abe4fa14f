"""Schemathesis over the whole OpenAPI document: no server error, no response outside the schema.

The app runs in-process (ASGI), authenticated as a customer with a real API token, so the
authenticated operations are exercised past the 401. Generation is derandomized and bounded so the
run is the same every time and stays well inside the CI budget on a 2-core machine.

Schemathesis' own pytest integration (``schema.parametrize`` / ``from_fixture``) does not work with
the installed pytest 9.2 (it writes ``Node._nodeid``, which pytest no longer has), so this test
drives Schemathesis' engine -- what ``st run`` uses, with the same phases and default checks --
and reports every failed check.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.engine import Status, events, from_schema

from c2m.bootstrap import Platform
from c2m.demo.templates import REFRIGERATOR
from c2m.domains.catalog.schemas import TemplateDefinition
from c2m.web.app import create_app
from tests.api.quoting_support import box_stl, open_shop
from tests.api.test_circles import pooled_circle
from tests.conftest import World, place

MAX_EXAMPLES = 30
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
KEY_REUSED = "Idempotency-Key was already used for a different request"


# Where each dictionary of real values is drawn into requests.
BINDINGS = {
    "path.order_id": "order_id",
    "path.product_id": "product_id",
    "path.enterprise_id": "enterprise_id",
    "path.token": "token",
    "path.template_id": "template_id",
    "path.design_id": "design_id",
    "query.version": "version",
    "body.template_id": "template_id",
    "path.upload_id": "upload_id",
    "path.quote_id": "quote_id",
    "path.rfq_id": "rfq_id",
    "query.enterprise_id": "enterprise_id",
    "body.upload_id": "upload_id",
    "body.enterprise_id": "enterprise_id",
    "path.circle_id": "circle_id",
    "path.item_id": "item_id",
    "path.demand_id": "demand_id",
    "path.proposal_id": "proposal_id",
    "path.batch_id": "batch_id",
}
# Authoring templates is for the micro-enterprise's members: the maker, not alice, calls these.
AUTHORING = (
    "POST /api/v1/enterprises/{enterprise_id}/templates",
    "POST /api/v1/templates/{template_id}/versions",
    "POST /api/v1/template-previews",
)
# A micro-enterprise's statements are for its members: the maker reads them. A well-formed
# period may still not be one (month 13, "to" before "from"): a 422 that says so.
STATEMENTS = (
    "GET /api/v1/enterprises/{enterprise_id}/statements/pnl",
    "GET /api/v1/enterprises/{enterprise_id}/statements/value-added",
    "GET /api/v1/enterprises/{enterprise_id}/statements/postings",
)
# Bodies whose validity depends on a template (its option names, its rules, its unchanging key) or
# on a micro-enterprise's tables, which no JSON Schema can say: a schema-valid one may rightly get
# a 422 naming what is wrong.
CHECKED_AGAINST_TEMPLATE = (
    *AUTHORING,
    "POST /api/v1/templates/{template_id}/configure",
    "POST /api/v1/designs",
    "POST /api/v1/quotes",  # the material must be in the quoting micro-enterprise's own tables
    "POST /api/v1/circles/{circle_id}/demands",  # the values must be the circle template's
    "PUT /api/v1/circles/{circle_id}/demands/{demand_id}/picture",  # bytes must be a real image
    # One vote (or follow) per person and item: a repeat is rightly a 409.
    "POST /api/v1/circles/{circle_id}/items/{item_id}/vote",
    "POST /api/v1/circles/{circle_id}/items/{item_id}/follow",
    # a machine's working shifts must end after they start, which no JSON Schema can say
    "POST /api/v1/factories/{factory_id}/machines",
    "POST /api/v1/makers/me/machines",
    "PATCH /api/v1/makers/me/machines/{machine_id}",
    # a receiver must be https at a public host name, which no JSON Schema can say
    "POST /api/v1/webhooks",
    "POST /api/v1/orders/{order_id}/push-subscriptions",  # a push service's endpoint, likewise
    # a purchase on its way docks in the future, which no JSON Schema can say
    "POST /api/v1/enterprises/{enterprise_id}/materials/{material_key}/lots",
    *STATEMENTS,
)
ACCEPTED_OR_EXPLAINED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]


def _cursor_lists(document: dict[str, Any]) -> list[str]:
    """The lists that take a `cursor`: only one the server gave out is valid, which no JSON Schema
    can say, so a schema-valid one may rightly get a 422 saying to start the walk again."""
    return [
        f"GET {path}"
        for path, operations in document["paths"].items()
        if any(p["name"] == "cursor" for p in operations.get("get", {}).get("parameters", []))
    ]


def _config(
    world: World, known: dict[str, list[str | int]], cursor_lists: list[str]
) -> schemathesis.Config:
    """Bounded, derandomized generation; half of the ids name real objects of the caller's.

    Alice calls everything except token revocation and template authoring: Schemathesis feeds ids
    it saw in responses (GET /tokens) back into paths, so as alice it would revoke her own token
    and turn the rest of the run into 401s. Bob revokes instead (alice's token ids are not his, so
    he gets 404s), and enterprise A's maker authors templates, which customers may not.
    """
    maker = {"Authorization": f"Bearer {world.maker_a.token}"}
    return schemathesis.Config.from_dict(
        {
            "seed": 20240601,
            # Conformance, not speed (that is bench/'s): a request the loaded CI machine stalls
            # for ten seconds is no finding, one that never answers still is.
            "request-timeout": 60,
            "dictionaries": {name: {"values": values} for name, values in known.items()},
            "parameters": {
                where: {"dictionary": name, "probability": 0.7} for where, name in BINDINGS.items()
            },
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            # Stateful link-following would need declared OpenAPI links; the spine has none.
            "phases": {"stateful": {"enabled": False}},
            "headers": {"Authorization": f"Bearer {world.alice.token}"},
            # One "include-name" each: separate include-path and include-method filters would
            # match either (every DELETE, every POST), not both.
            "operations": [
                {
                    "include-name": "DELETE /api/v1/tokens/{token_id}",
                    "headers": {"Authorization": f"Bearer {world.bob.token}"},
                },
                *({"include-name": name, "headers": maker} for name in (*AUTHORING, *STATEMENTS)),
                *(
                    {
                        "include-name": name,
                        "checks": {
                            "positive_data_acceptance": {"expected-statuses": ACCEPTED_OR_EXPLAINED}
                        },
                    }
                    for name in (*CHECKED_AGAINST_TEMPLATE, *cursor_lists)
                ),
            ],
        }
    )


def _design(client: TestClient, world: World) -> dict[str, Any]:
    """A published refrigerator template (the maker's) and alice's saved design of it."""
    template = client.post(
        f"/api/v1/enterprises/{world.enterprise_a.id}/templates",
        json={
            "definition": TemplateDefinition.of(REFRIGERATOR).model_dump(mode="json"),
            "published": True,
        },
        headers=world.maker_a.headers,
    )
    assert template.status_code == 201, template.text
    design = client.post(
        "/api/v1/designs",
        json={"template_id": template.json()["id"], "name": "Kitchen", "configuration": {}},
        headers=world.alice.headers,
    )
    assert design.status_code == 201, design.text
    result: dict[str, Any] = design.json()
    return result


def _quote(client: TestClient, world: World, platform: Platform) -> tuple[str, str, str]:
    """Enterprise A quotes parts: alice's upload, its quote and a request for quote."""
    open_shop(platform, world.enterprise_a)
    uploaded = client.post(
        "/api/v1/uploads",
        params={"enterprise_id": world.enterprise_a.id},
        files=[("files", ("cube.stl", box_stl((20, 20, 20)), "model/stl"))],
        headers=world.alice.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    part = uploaded.json()[0]["id"]
    priced = client.post("/api/v1/quotes", json={"upload_id": part}, headers=world.alice.headers)
    assert priced.status_code == 201, priced.text
    rfq = client.post(
        "/api/v1/rfqs",
        json={"enterprise_id": world.enterprise_a.id, "upload_ids": [part], "message": "Hi"},
        headers=world.alice.headers,
    )
    assert rfq.status_code == 201, rfq.text
    return part, priced.json()["id"], rfq.json()["id"]


def _circle(client: TestClient, world: World) -> tuple[dict[str, list[str | int]], str]:
    """A circle alice joined, with demands, proposals and a pre-order batch: their ids."""
    circle_id, proposals = pooled_circle(client, world)
    demands = client.get(f"/api/v1/circles/{circle_id}/demands", headers=world.alice.headers)
    batch = client.post(
        f"/api/v1/proposals/{proposals[0]['id']}/batches",
        json={"threshold": 5, "deadline": "2999-01-01T00:00:00Z"},
        headers=world.maker_a.headers,
    )
    assert batch.status_code == 201, batch.text
    known: dict[str, list[str | int]] = {
        "circle_id": [circle_id],
        "item_id": [d["id"] for d in demands.json()] + [p["id"] for p in proposals],
        "demand_id": [d["id"] for d in demands.json()],
        "proposal_id": [p["id"] for p in proposals],
    }
    return known, batch.json()["id"]


def test_api_conforms_to_its_openapi_document(platform: Platform, world: World) -> None:
    """Every generated request gets a declared status, content type and body; never a 5xx."""
    app = create_app(platform, run_background=False)
    with TestClient(app) as client:
        placed = place(client, world.alice, world.product_a, 2)
        assert placed.status_code == 201, placed.text
        shared = client.post(
            f"/api/v1/orders/{placed.json()['id']}/share", headers=world.alice.headers
        )
        assert shared.status_code == 201, shared.text
        design = _design(client, world)
        design_link = client.post(
            f"/api/v1/designs/{design['id']}/share", headers=world.alice.headers
        )
        assert design_link.status_code == 201, design_link.text
        part, priced, rfq = _quote(client, world, platform)
        circle, batch = _circle(client, world)
    known: dict[str, list[str | int]] = {
        "order_id": [placed.json()["id"]],
        "product_id": [world.product_a.id],
        "enterprise_id": [world.enterprise_a.id],
        "token": [shared.json()["token"], design_link.json()["token"]],
        "template_id": [design["template_id"]],
        "design_id": [design["id"]],
        "version": [design["version"]],
        "upload_id": [part],
        "quote_id": [priced],
        "rfq_id": [rfq],
        **circle,
        "batch_id": [batch],
    }
    config = _config(world, known, _cursor_lists(app.openapi()))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    fresh = itertools.count()

    @schema.hook
    def map_headers(
        _context: schemathesis.HookContext, headers: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Make every well-formed Idempotency-Key unique to its request.

        Generation draws keys from a small space, so two different bodies would share a key and
        the API rightly answers 422 (same key, other body); Schemathesis cannot know that rule.
        Replays and key conflicts are covered by tests/api/test_idempotency.py.
        """
        key = (headers or {}).get("Idempotency-Key")
        if headers is not None and isinstance(key, str) and VALID_KEY.match(key):
            headers["Idempotency-Key"] = f"{next(fresh)}-{key}"[:200]
        return headers

    problems: list[str] = []
    succeeded: set[str] = set()
    scenarios = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            scenarios += 1
            recorder = event.recorder
            for interaction in recorder.interactions.values():
                if interaction.response is not None and interaction.response.status_code < 300:
                    succeeded.add(recorder.label)
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status != Status.FAILURE or check.failure_info is None:
                        continue
                    interaction = recorder.interactions.get(case_id)
                    answer = interaction.response if interaction is not None else None
                    said = answer.content[:300].decode(errors="replace") if answer else ""
                    if check.name == "positive_data_acceptance" and KEY_REUSED in said:
                        continue  # the coverage phase repeats keys without the hook above
                    problems.append(
                        f"{recorder.label} [{check.name}] {check.failure_info.failure.title}: "
                        f"{check.failure_info.failure.message}\n"
                        f"{check.failure_info.code_sample}\nanswered: {said}"
                    )
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            pytest.fail(f"Schemathesis stopped: {event.exception!r}")
    assert scenarios > 0, "Schemathesis ran nothing"
    # The token and the bound ids must really get past auth and lookups, not only to 401/404.
    # (GET /templates/{id}[/versions] are left out: whether their derandomized draws ever pick the
    # bound id shifts with every operation added to the document; tests/api/test_templates.py
    # reads templates and their versions successfully on both databases.)
    must_succeed = {
        "GET /api/v1/me",
        "POST /api/v1/orders",
        "GET /api/v1/orders/{order_id}",
        "GET /api/v1/orders/{order_id}/events",
        "GET /api/v1/shared-orders/{token}/events",
        "POST /api/v1/templates/{template_id}/configure",
        "GET /api/v1/designs/{design_id}",
        "POST /api/v1/designs/{design_id}/share",
        "POST /api/v1/designs/{design_id}/order",
        "GET /api/v1/shared-designs/{token}",
        "GET /api/v1/uploads/{upload_id}",
        "GET /api/v1/quotes/{quote_id}",
        "GET /api/v1/rfqs/{rfq_id}",
        "GET /api/v1/circles/{circle_id}/proposals",
        "POST /api/v1/batches/{batch_id}/preorders",
    }
    assert must_succeed <= succeeded, f"never succeeded: {sorted(must_succeed - succeeded)}"
    unique = sorted(set(problems))
    assert not unique, f"{len(unique)} finding(s):\n\n" + "\n\n".join(unique)
