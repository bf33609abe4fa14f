"""Get a Quote: upload parts, price them, order them, or ask a person (RFQ)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from c2m.bootstrap import Platform
from c2m.domains.orders import placement
from c2m.domains.orders.schemas import OrderOut
from c2m.domains.quoting import quoters, quotes, rfqs, tables, uploads
from c2m.domains.quoting.models import Upload
from c2m.domains.quoting.schemas import (
    ConfirmUnit,
    Fulfilment,
    NewRfq,
    QuoteOrder,
    QuoteOut,
    QuoteRequest,
    QuotingServiceOut,
    RfqAnswer,
    RfqOut,
    UploadOut,
)
from c2m.engines.costing.tables import Tables
from c2m.kernel.errors import NotFound
from c2m.kernel.idempotency import once
from c2m.settings import Settings
from c2m.web import links
from c2m.web.auth import OrdersWrite, PlatformDep, QuotesRead, QuotesWrite
from c2m.web.idempotent import Idempotent, answer
from c2m.web.multipart import UploadLimits, receive_files
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses
from c2m.web.rate_limits import RateLimits

router = APIRouter(prefix="/api/v1", tags=["quotes"], responses=problem_responses(401, 404))

CHANGE = problem_responses(409, 413, 422)
EnterpriseId = Annotated[
    str, Query(min_length=1, max_length=32, description="The micro-enterprise asked to quote")
]
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": Settings.model_fields["upload_max_files"].default,
                            "items": {"type": "string", "format": "binary"},
                            "description": "STL, OBJ, 3MF (or STEP with the extra) files; "
                            "at most 5 of 10 MB each unless the site configured other limits",
                        }
                    },
                }
            }
        },
    }
}


def limits_of(platform: Platform) -> UploadLimits:
    return UploadLimits(platform.settings.upload_max_files, platform.settings.upload_max_bytes)


def upload_out(upload: Upload) -> dict[str, Any]:
    thumbnail = links.upload_thumbnail(upload.id) if upload.thumbnail else None
    out = UploadOut.model_validate({**upload.column_values(), "thumbnail_url": thumbnail})
    return out.model_dump(mode="json")


@router.post(
    "/uploads",
    status_code=201,
    response_model=list[UploadOut],
    responses=CHANGE,
    openapi_extra=UPLOAD_BODY,
)
async def upload_parts(
    request: Request,
    platform: PlatformDep,
    enterprise_id: EnterpriseId,
    actor: QuotesWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Upload up to 5 parts (10 MB each); each is analysed, or refused with a reason."""
    await run_in_threadpool(_require_service, platform, enterprise_id)
    limits: RateLimits = request.app.state.rate_limits
    await limits.spend("upload", actor.user_id)
    received = await receive_files(request, platform.uploads, limits_of(platform))
    fingerprint = uploads.UploadFingerprint.of(enterprise_id, received)
    claim = idempotent.claim(actor, fingerprint)
    write_once = partial(once, platform.db, claim)
    stored = await run_in_threadpool(
        uploads.accept, platform.analyser, actor, enterprise_id, received, write_once, upload_out
    )
    return answer(stored)


def _require_service(platform: Platform, enterprise_id: str) -> None:
    with platform.db.read() as session:
        quoters.quoting_service(session, enterprise_id)


@router.get("/uploads", response_model=list[UploadOut], responses=PAGED)
def list_uploads(platform: PlatformDep, actor: QuotesRead, page: Paging) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        return page.answer(uploads.list_uploads(session, actor, page.window), upload_out)


@router.get("/uploads/{upload_id}", response_model=UploadOut)
def get_upload(platform: PlatformDep, upload_id: str, actor: QuotesRead) -> dict[str, Any]:
    with platform.db.read() as session:
        return upload_out(uploads.load_upload(session, actor, upload_id))


@router.get(
    "/uploads/{upload_id}/file",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_upload_file(platform: PlatformDep, upload_id: str, actor: QuotesRead) -> FileResponse:
    """The file as uploaded, for its owner and the quoting micro-enterprise."""
    with platform.db.read() as session:
        upload = uploads.load_upload(session, actor, upload_id)
    return FileResponse(
        platform.uploads.part(upload.id),
        media_type="application/octet-stream",
        filename=upload.filename,
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/uploads/{upload_id}/thumbnail",
    response_class=FileResponse,
    responses={200: {"content": {"image/png": {}}}},
)
def get_upload_thumbnail(platform: PlatformDep, upload_id: str, actor: QuotesRead) -> FileResponse:
    with platform.db.read() as session:
        upload = uploads.load_upload(session, actor, upload_id)
    if not upload.thumbnail:
        raise NotFound("This part has no picture: it could not be read.")
    return FileResponse(
        platform.uploads.thumbnail(upload.id),
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=86400"},
    )


@router.post("/uploads/{upload_id}/unit", response_model=UploadOut, responses=CHANGE)
def confirm_upload_unit(
    platform: PlatformDep, upload_id: str, body: ConfirmUnit, actor: QuotesWrite
) -> dict[str, Any]:
    """Say which unit the file was drawn in; the part is analysed again in that unit."""
    with platform.db.read() as session:
        upload = uploads.load_upload(session, actor, upload_id)
        uploads.require_owner(actor, upload)
    outcome = platform.analyser.analyse(upload_id, body.unit)
    with platform.db.write() as session:
        upload = uploads.load_upload(session, actor, upload_id)
        uploads.apply_outcome(upload, outcome)
        session.flush()
        return upload_out(upload)


@router.post("/quotes", status_code=201, response_model=QuoteOut, responses=CHANGE)
def create_quote(
    platform: PlatformDep,
    body: QuoteRequest,
    actor: QuotesWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Price an analysed part: unit price per quantity and a ship date per tier."""
    capacity = platform.capacity
    return idempotent.create(
        actor,
        body,
        lambda session: quotes.quote_out(quotes.create_quote(session, actor, body, capacity)),
    )


@router.get("/quotes/{quote_id}", response_model=QuoteOut)
def get_quote(platform: PlatformDep, quote_id: str, actor: QuotesRead) -> dict[str, Any]:
    with platform.db.read() as session:
        return quotes.quote_out(quotes.load_quote(session, actor, quote_id))


@router.post("/quote-orders", status_code=201, response_model=OrderOut, responses=CHANGE)
def order_quotes(
    platform: PlatformDep,
    body: QuoteOrder,
    actor: OrdersWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Accept quotes into one order (the files and routing travel with its lines)."""
    placed = placement.place(
        platform.db,
        idempotent.claim(actor, body),
        lambda session: quotes.prepare_quote_order(session, actor, body),
        lambda session, order: quotes.mark_ordered(session, body.quote_ids, order.order_id),
    )
    return answer(placed)


@router.post("/rfqs", status_code=201, response_model=RfqOut, responses=CHANGE)
def create_rfq(
    body: NewRfq,
    actor: QuotesWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Ask the micro-enterprise for a manual quote, with a message and the files."""
    return idempotent.create(
        actor, body, lambda session: RfqOut.model_validate(rfqs.create_rfq(session, actor, body))
    )


@router.get("/rfqs", response_model=list[RfqOut], responses=PAGED)
def list_my_rfqs(platform: PlatformDep, actor: QuotesRead, page: Paging) -> list[RfqOut]:
    with platform.db.read() as session:
        return page.pick(rfqs.my_rfqs(session, actor), RfqOut.model_validate)


@router.get("/rfqs/{rfq_id}", response_model=RfqOut)
def get_rfq(platform: PlatformDep, rfq_id: str, actor: QuotesRead) -> RfqOut:
    with platform.db.read() as session:
        return RfqOut.model_validate(rfqs.load_rfq(session, actor, rfq_id))


@router.post("/rfqs/{rfq_id}/answer", response_model=RfqOut, responses=CHANGE)
def answer_rfq(
    request: Request, platform: PlatformDep, rfq_id: str, body: RfqAnswer, actor: QuotesWrite
) -> RfqOut:
    """Answer a request in the inbox with a message, and a price and ship date if given."""
    with platform.db.write() as session:
        return RfqOut.model_validate(rfqs.answer_rfq(session, actor, rfq_id, body))


@router.get("/enterprises/{enterprise_id}/rfqs", response_model=list[RfqOut], responses=PAGED)
def list_enterprise_rfqs(
    platform: PlatformDep, enterprise_id: str, actor: QuotesRead, page: Paging
) -> list[RfqOut]:
    """The micro-enterprise's inbox of requests for quote."""
    with platform.db.read() as session:
        return page.pick(rfqs.inbox(session, actor, enterprise_id), RfqOut.model_validate)


@router.get("/enterprises/{enterprise_id}/quoting-tables", response_model=Tables)
def get_quoting_tables(
    platform: PlatformDep, enterprise_id: str, actor: QuotesRead
) -> dict[str, Any]:
    """The cost tables quotes are priced with (members of the micro-enterprise)."""
    with platform.db.read() as session:
        return tables.tables_json(tables.read_tables(session, actor, enterprise_id))


@router.put(
    "/enterprises/{enterprise_id}/quoting-tables",
    response_model=Tables,
    responses=problem_responses(403, 413, 422),
)
def put_quoting_tables(
    platform: PlatformDep, enterprise_id: str, body: dict[str, Any], actor: QuotesWrite
) -> dict[str, Any]:
    """Replace the cost tables (owners); later quotes use them, earlier ones keep their price."""
    with platform.db.write() as session:
        return tables.tables_json(tables.replace_tables(session, actor, enterprise_id, body))


@router.get("/enterprises/{enterprise_id}/quoting-service", response_model=QuotingServiceOut)
def get_quoting_service(
    platform: PlatformDep, enterprise_id: str, actor: QuotesRead
) -> QuotingServiceOut:
    """Who makes the parts ordered from the micro-enterprise's quotes (members)."""
    with platform.db.read() as session:
        actor.require_member_of(enterprise_id)
        return QuotingServiceOut.model_validate(quoters.quoting_service(session, enterprise_id))


@router.put(
    "/enterprises/{enterprise_id}/quoting-service",
    response_model=QuotingServiceOut,
    responses=problem_responses(403, 422),
)
def put_quoting_service(
    platform: PlatformDep, enterprise_id: str, body: Fulfilment, actor: QuotesWrite
) -> QuotingServiceOut:
    """Make ordered parts in the factory, or route them to independent makers (owners); orders
    placed before keep the choice they were placed under."""
    with platform.db.write() as session:
        service = quoters.set_fulfilment(session, actor, enterprise_id, body.to_makers)
        return QuotingServiceOut.model_validate(service)
