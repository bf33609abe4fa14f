"""Get a Quote pages: the customer's upload-and-price page and the micro-enterprise's RFQ inbox.

The quote page only renders the shop's materials and limits; quote.js uploads, prices, orders
and sends requests for quote through the API, with the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from c2m.domains.platform import service as accounts
from c2m.domains.quoting import quoters, rfqs, tables
from c2m.domains.quoting.schemas import RfqAnswer
from c2m.engines.costing.leadtime import Tier
from c2m.kernel.errors import InvalidInput, describe_validation
from c2m.web import links
from c2m.web.auth import OptionalCaller, PlatformDep
from c2m.web.routers.pages import CsrfField, signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/quote/{slug}")
def quote_page(
    request: Request, platform: PlatformDep, slug: str, caller: OptionalCaller
) -> Response:
    settings = platform.settings
    caller = signed_in(request, caller)
    with platform.db.read() as session:
        enterprise = quoters.quoting_enterprise(session, slug)
        shop = tables.tables_of(quoters.quoting_service(session, enterprise.id))
    materials: dict[str, list[str]] = {process.value: [] for process in shop.processes}
    for material in shop.materials.values():
        materials.setdefault(material.process.value, []).append(material.name)
    data = {
        "enterprise_id": enterprise.id,
        "materials": materials,
        "tiers": [tier.value for tier in Tier],
        "max_files": settings.upload_max_files,
        "max_bytes": settings.upload_max_bytes,
    }
    context = {"enterprise": enterprise, "data": data}
    return render(request, caller, "quote.html", context)


@router.get("/requests")
def my_requests(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    """The customer's requests for quote, newest first, with the workshops' answers."""
    caller = signed_in(request, caller)
    with platform.db.read() as session:
        mine = rfqs.my_rfqs(session, caller.actor)
        files = rfqs.files_of(session, mine)
        shops = {shop.id: shop for shop in quoters.quoting_enterprises(session)}
    context = {"requests": mine, "files": files, "shops": shops}
    return render(request, caller, "requests.html", context)


@router.get("/workshop/enterprises/{enterprise_id}/rfqs")
def rfq_inbox(
    request: Request, platform: PlatformDep, enterprise_id: str, caller: OptionalCaller
) -> Response:
    caller = signed_in(request, caller)
    with platform.db.read() as session:
        enterprise = accounts.get_enterprise(session, caller.actor, enterprise_id)
        inbox = rfqs.inbox(session, caller.actor, enterprise_id)
        files = rfqs.files_of(session, inbox)
    context = {"enterprise": enterprise, "inbox": inbox, "files": files}
    return render(request, caller, "rfq_inbox.html", context)


@router.post("/workshop/rfqs/{rfq_id}/answer")
def answer_rfq(
    request: Request,
    platform: PlatformDep,
    rfq_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    message: Annotated[str, Form(max_length=5000)],
    price_eur: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    caller = signed_in(request, caller, csrf_token)
    try:
        answer = RfqAnswer(message=message, price=_cents(price_eur))
    except ValidationError as exc:
        raise InvalidInput(describe_validation(exc.errors())) from exc
    with platform.db.write() as session:
        rfq = rfqs.answer_rfq(session, caller.actor, rfq_id, answer)
        target = links.rfq_inbox(rfq.enterprise_id) + "?msg=Answer+sent."
    return RedirectResponse(target, status_code=303)


def _cents(euros: str) -> int | None:
    text = euros.strip().replace(",", ".")
    if not text:
        return None
    try:
        return round(float(text) * 100)
    except ValueError:
        raise InvalidInput(f"{euros!r} is not a price; write it in euros, like 84.50.") from None
