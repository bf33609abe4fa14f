"""Units' passports: the page a label's QR code opens, the signed credential for its owner, and
the keys that sign them, published as the platform's did:web document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from c2m.domains.traceability.authority import authority_facts
from c2m.domains.traceability.keys import KeyRing, did_web
from c2m.domains.traceability.labels import label_svg
from c2m.domains.traceability.passports import UnitRecord, load_unit, signed_passport
from c2m.engines.credentials.linked_data import (
    CONTEXTS_PATH,
    DPP_CONTEXT_NAME,
    UnknownContext,
    context_name,
    shipped,
)
from c2m.kernel.errors import Forbidden, NotFound
from c2m.web.auth import OptionalCaller, platform_of
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)


def _unit(request: Request, session: Session, serial: str) -> UnitRecord:
    settings = platform_of(request).settings
    return load_unit(session, serial, settings.base_url, settings.grid_kg_co2e_per_kwh)


@router.get("/.well-known/did.json")
def did_document(request: Request) -> dict[str, Any]:
    """Every signing key, current and retired, so any passport the platform issued verifies."""
    settings = platform_of(request).settings
    return KeyRing.open(settings.data_dir).did_document(did_web(settings.base_url))


@router.get("/contexts/{name}")
def linked_data_context(name: str) -> Response:
    """The JSON-LD context passports name, from the package, for any JSON-LD processor."""
    try:
        text = shipped(context_name(f"{CONTEXTS_PATH}{name}"))
    except UnknownContext as exc:
        raise NotFound(f"There is no context {name}; passports name {DPP_CONTEXT_NAME}.") from exc
    return Response(
        text,
        media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=86400", "Access-Control-Allow-Origin": "*"},
    )


@router.get("/u/{serial}")
def unit_passport(request: Request, serial: str, caller: OptionalCaller) -> Response:
    """The credential (its owner's) when JSON is asked for; the unit's page otherwise."""
    if "json" in request.headers.get("accept", ""):
        return _credential(request, serial, caller)
    platform = platform_of(request)
    actor = caller.actor if caller else None
    with platform.db.read() as session:
        record = _unit(request, session, serial)
        audited = record.audited_by(actor)
        authority = (
            authority_facts(session, record, platform.settings.data_dir) if audited else None
        )
    context = {
        "record": record,
        "facts": record.facts,
        "owner": record.owned_by(actor) and not audited,  # the authority view holds all of it
        "maker": record.made_by(actor),
        "authority": authority,
    }
    return render(request, caller, "unit.html", context)


@router.get("/u/{serial}/passport.json")
def unit_passport_file(request: Request, serial: str, caller: OptionalCaller) -> Response:
    """The signed credential as a file to keep (the owner's), for ``c2m passport verify``."""
    name = f"passport-{serial.upper()}.json"
    answer = _credential(request, serial, caller)
    answer.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer


def _credential(request: Request, serial: str, caller: OptionalCaller) -> Response:
    platform = platform_of(request)
    settings = platform.settings
    with platform.db.read() as session:
        record = _unit(request, session, serial)
    actor = caller.actor if caller else None
    passport = signed_passport(record, actor, settings.data_dir, settings.base_url)
    return JSONResponse(passport, headers={"Cache-Control": "private, no-store"})


@router.get("/u/{serial}/label.svg")
def unit_label(request: Request, serial: str, caller: OptionalCaller) -> Response:
    """The unit's packing label, for the micro-enterprise that sold it and the unit's owner."""
    platform = platform_of(request)
    with platform.db.read() as session:
        record = _unit(request, session, serial)
    actor = caller.actor if caller else None
    if not (record.made_by(actor) or record.owned_by(actor)):
        raise Forbidden(
            "Labels are printed by the micro-enterprise that made the unit: sign in as one of "
            "its members."
        )
    return Response(label_svg(record.facts), media_type="image/svg+xml")
