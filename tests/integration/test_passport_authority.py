"""Issue 17, the passport's three views: anyone holding the unit sees the public page; its owner
also sees its configuration; a market-surveillance authority (a role the platform owner grants)
and the platform owner see everything, the signed credential included, but never the owner's
personal data. A stranger never sees the owner's or the authority's part, and asking for the
credential tells them whose it is."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.traceability.authority import AuthorityFacts
from c2m.domains.traceability.models import Unit
from c2m.engines.credentials import Measurement, QualityCheck
from c2m.engines.credentials.linked_data import DPP_CONTEXT_NAME, shipped, undefined_terms
from c2m.web.templating import templates
from tests.conftest import World, add_person
from tests.integration.test_units import start, started_work
from tests.unit.credentials.test_passport_proof import FACTS

CONFIGURATION = {"seat_colour": "teal", "engraving": "For Ada"}
AS_JSON = {"Accept": "application/json"}
AS_PAGE = {"Accept": "text/html"}


def one_unit(platform: Platform, world: World) -> tuple[str, str]:
    """A started stool of Alice's, configured; its serial and order id."""
    start(platform, started_work(platform, world, 1, CONFIGURATION))
    with platform.db.read() as session:
        unit = session.scalars(select(Unit)).one()
        return unit.serial, unit.order_id


def test_an_authority_sees_everything_but_the_owners_personal_data(
    client: TestClient, world: World, platform: Platform
) -> None:
    serial, order_id = one_unit(platform, world)
    inspector = add_person(platform, "inspector", is_authority=True)

    page = client.get(f"/u/{serial}", headers={**AS_PAGE, **inspector.headers})
    assert page.status_code == 200
    assert "For market surveillance" in page.text
    for fact in (order_id, "Alpha Works", "For Ada", "teal", "key-1", "piece 1"):
        assert fact in page.text, fact
    for personal in (world.alice.user.name, world.alice.user.email):
        assert personal not in page.text
    assert "Your configuration" not in page.text

    credential = client.get(f"/u/{serial}", headers={**AS_JSON, **inspector.headers})
    assert credential.status_code == 200
    passport = credential.json()
    assert passport["credentialSubject"]["product"]["characteristics"] == CONFIGURATION
    assert undefined_terms(passport) == []
    assert world.alice.user.email not in credential.text

    owner = client.get(f"/u/{serial}", headers={**AS_PAGE, **world.owner.headers})
    assert "For market surveillance" in owner.text  # the platform owner sees it all too


def test_strangers_and_makers_never_see_the_owners_or_the_authoritys_part(
    client: TestClient, world: World, platform: Platform
) -> None:
    serial, order_id = one_unit(platform, world)
    for person in (None, world.bob, world.maker_a):
        headers = person.headers if person else {}
        page = client.get(f"/u/{serial}", headers={**AS_PAGE, **headers})
        assert page.status_code == 200
        assert "Alpha Works" in page.text  # the public view: who made it
        for hidden in ("For market surveillance", order_id, "For Ada", "Download the signed"):
            assert hidden not in page.text, hidden
        refused = client.get(f"/u/{serial}", headers={**AS_JSON, **headers})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "market-surveillance authorities" in refused.json()["detail"]
        assert "For Ada" not in refused.text

    mine = client.get(f"/u/{serial}", headers={**AS_PAGE, **world.alice.headers})
    assert "For Ada" in mine.text
    assert "For market surveillance" not in mine.text
    assert order_id not in mine.text.replace(f"/orders/{order_id}", "")  # only her order's link


def test_the_passport_context_is_published_for_any_json_ld_processor(client: TestClient) -> None:
    context = client.get(f"/contexts/{DPP_CONTEXT_NAME}")
    assert context.status_code == 200
    assert context.headers["content-type"].startswith("application/ld+json")
    assert context.json() == json.loads(shipped(DPP_CONTEXT_NAME))
    missing = client.get("/contexts/credentials-v2.jsonld")
    assert missing.status_code == 404
    assert DPP_CONTEXT_NAME in missing.json()["detail"]


def test_the_authority_view_shows_every_check_material_and_the_footprint() -> None:
    """What the view makes of a fully recorded unit (measurements, materials, footprint)."""
    out = Measurement("right door gap", 3.8, 3.0, 0.5, "mm")
    facts = replace(FACTS, quality=(*FACTS.quality, QualityCheck("door gap", False, (out,))))
    authority = AuthorityFacts(
        "Alpha Works", "ord-1", date(2026, 12, 7), "Paid", "wo-1", 2, "key-3"
    )
    html = templates().get_template("_unit_authority.html").render(facts=facts, authority=authority)
    text = " ".join(html.split())
    for shown in (
        "left door gap",
        "3.1 mm",
        "3.0 ± 0.5 mm",
        "Door gap</strong>: failed",
        "70% of its mass, 30% recycled, from DE",
        "Polyurethane foam: 30% of its mass",
        "15.80 kg CO₂e from 41.50 kWh",
        "B-12",
        "ord-1</code>, placed 2026-12-07",
        "piece 2",
        "key-3",
    ):
        assert shown in text, shown
    assert text.count("out of tolerance") == 1  # the right gap only
