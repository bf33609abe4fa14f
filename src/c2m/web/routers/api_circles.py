"""Circles: demands, comments, votes, follows, moderation, proposals and pre-order batches."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from c2m.bootstrap import Platform
from c2m.domains.circles import batches, demand_photos, proposals, service
from c2m.domains.circles.models import ReactionKind
from c2m.domains.circles.schemas import (
    BatchOut,
    CircleOut,
    CommentOut,
    DemandOut,
    Hide,
    Lock,
    NewAggregation,
    NewBatch,
    NewCircle,
    NewComment,
    NewDemand,
    ProposalOut,
    ReactionOut,
    RunOut,
)
from c2m.domains.orders import placement
from c2m.domains.orders.schemas import OrderOut
from c2m.domains.platform.actor import Actor
from c2m.web import links
from c2m.web.auth import CirclesWrite, OrdersWrite, PlatformDep, Viewer
from c2m.web.idempotent import Idempotent, answer
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["circles"], responses=problem_responses(401, 404))

CHANGE = problem_responses(403, 409, 413, 422)
PICTURE = {"schema": {"type": "string", "format": "binary"}}
PICTURE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": dict.fromkeys(demand_photos.MEDIA_TYPES.values(), PICTURE),
    }
}


@router.get("/circles", response_model=list[CircleOut], responses=PAGED, tags=["public"])
def list_circles(platform: PlatformDep, viewer: Viewer, page: Paging) -> list[CircleOut]:
    """Every circle's title; members-only circles show their content to members only."""
    with platform.db.read() as session:
        found = service.list_circles(session)
        return page.pick(found, lambda c: service.circle_out(session, viewer, c))


@router.post(
    "/enterprises/{enterprise_id}/circles",
    status_code=201,
    response_model=CircleOut,
    responses=CHANGE,
)
def create_circle(
    enterprise_id: str,
    body: NewCircle,
    actor: CirclesWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Open a circle around one of the enterprise's published templates (owners)."""
    return idempotent.create(
        actor,
        body,
        lambda s: service.circle_out(
            s, actor, service.create_circle(s, actor, enterprise_id, body)
        ),
    )


@router.get("/circles/{circle_id}", response_model=CircleOut, tags=["public"])
def get_circle(platform: PlatformDep, circle_id: str, viewer: Viewer) -> CircleOut:
    with platform.db.read() as session:
        circle = service.load_circle(session, viewer, circle_id, inside=False)
        return service.circle_out(session, viewer, circle)


@router.put("/circles/{circle_id}/membership", response_model=CircleOut, responses=CHANGE)
def join_circle(platform: PlatformDep, circle_id: str, actor: CirclesWrite) -> CircleOut:
    """Join the circle (joining twice changes nothing)."""
    with platform.db.write() as session:
        return service.circle_out(session, actor, service.join(session, actor, circle_id))


@router.delete("/circles/{circle_id}/membership", status_code=204)
def leave_circle(platform: PlatformDep, circle_id: str, actor: CirclesWrite) -> Response:
    with platform.db.write() as session:
        service.leave(session, actor, circle_id)
    return Response(status_code=204)


@router.get(
    "/circles/{circle_id}/demands", response_model=list[DemandOut], responses=PAGED, tags=["public"]
)
def list_demands(
    platform: PlatformDep, circle_id: str, viewer: Viewer, page: Paging
) -> list[DemandOut]:
    with platform.db.read() as session:
        found = service.list_demands(session, viewer, circle_id, links.demand_picture)
        return page.pick(found, lambda out: out)


@router.post(
    "/circles/{circle_id}/demands", status_code=201, response_model=DemandOut, responses=CHANGE
)
def create_demand(
    circle_id: str,
    body: NewDemand,
    actor: CirclesWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Ask for your version: the options you care about (checked against the template)."""

    def post(session: Session) -> DemandOut:
        demand = service.post_demand(session, actor, circle_id, body)
        demands = service.list_demands(session, actor, circle_id, links.demand_picture)
        return next(d for d in demands if d.id == demand.id)

    return idempotent.create(actor, body, post)


@router.put(
    "/circles/{circle_id}/demands/{demand_id}/picture",
    status_code=204,
    responses=CHANGE,
    openapi_extra=PICTURE_BODY,
)
async def put_demand_picture(
    request: Request, platform: PlatformDep, circle_id: str, demand_id: str, actor: CirclesWrite
) -> Response:
    """Add (or replace) the picture of your demand: a PNG or JPEG image, sent as the body."""
    data = await request.body()
    await run_in_threadpool(_store_picture, platform, actor, circle_id, demand_id, data)
    return Response(status_code=204)


def _store_picture(
    platform: Platform, actor: Actor, circle_id: str, demand_id: str, data: bytes
) -> None:
    media_type = demand_photos.media_type_of(data)
    with platform.db.write() as session:
        demand_photos.attach(session, actor, circle_id, demand_id, media_type)
        platform.pictures.open_new(demand_id).write_bytes(data)


@router.get(
    "/circles/{circle_id}/demands/{demand_id}/picture",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t in demand_photos.MEDIA_TYPES.values()}}},
    tags=["public"],
)
def get_demand_picture(
    platform: PlatformDep, circle_id: str, demand_id: str, viewer: Viewer
) -> FileResponse:
    with platform.db.read() as session:
        demand = demand_photos.picture_of(session, viewer, circle_id, demand_id)
    return FileResponse(
        platform.pictures.part(demand.id),
        media_type=demand.picture,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=60"},
    )


@router.get(
    "/circles/{circle_id}/comments",
    response_model=list[CommentOut],
    responses=PAGED,
    tags=["public"],
)
def list_comments(
    platform: PlatformDep, circle_id: str, viewer: Viewer, page: Paging
) -> list[CommentOut]:
    with platform.db.read() as session:
        return page.pick(service.list_comments(session, viewer, circle_id), lambda out: out)


@router.post(
    "/circles/{circle_id}/items/{item_id}/comments",
    status_code=201,
    response_model=CommentOut,
    responses=CHANGE,
)
def comment_on_item(
    circle_id: str,
    item_id: str,
    body: NewComment,
    actor: CirclesWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Comment on a demand or a proposal."""
    return idempotent.create(
        actor, body, lambda s: service.comment(s, actor, circle_id, item_id, body)
    )


def _react(
    platform: Platform, circle_id: str, item_id: str, kind: ReactionKind, actor: Actor
) -> ReactionOut:
    with platform.db.write() as session:
        return service.react(session, actor, circle_id, item_id, kind)


def _unreact(
    platform: Platform, circle_id: str, item_id: str, kind: ReactionKind, actor: Actor
) -> ReactionOut:
    with platform.db.write() as session:
        return service.unreact(session, actor, circle_id, item_id, kind)


@router.post(
    "/circles/{circle_id}/items/{item_id}/vote",
    status_code=201,
    response_model=ReactionOut,
    responses=CHANGE,
)
def vote_for_item(
    platform: PlatformDep, circle_id: str, item_id: str, actor: CirclesWrite
) -> ReactionOut:
    """Your one vote for a demand or proposal: a second one is refused with 409."""
    return _react(platform, circle_id, item_id, ReactionKind.VOTE, actor)


@router.delete(
    "/circles/{circle_id}/items/{item_id}/vote", response_model=ReactionOut, responses=CHANGE
)
def withdraw_vote(
    platform: PlatformDep, circle_id: str, item_id: str, actor: CirclesWrite
) -> ReactionOut:
    return _unreact(platform, circle_id, item_id, ReactionKind.VOTE, actor)


@router.post(
    "/circles/{circle_id}/items/{item_id}/follow",
    status_code=201,
    response_model=ReactionOut,
    responses=CHANGE,
)
def follow_item(
    platform: PlatformDep, circle_id: str, item_id: str, actor: CirclesWrite
) -> ReactionOut:
    """Follow a demand or proposal (a followed demand weighs more in the aggregation)."""
    return _react(platform, circle_id, item_id, ReactionKind.FOLLOW, actor)


@router.delete(
    "/circles/{circle_id}/items/{item_id}/follow", response_model=ReactionOut, responses=CHANGE
)
def unfollow_item(
    platform: PlatformDep, circle_id: str, item_id: str, actor: CirclesWrite
) -> ReactionOut:
    return _unreact(platform, circle_id, item_id, ReactionKind.FOLLOW, actor)


@router.put("/circles/{circle_id}/items/{item_id}/hidden", status_code=204, responses=CHANGE)
def hide_item(
    platform: PlatformDep, circle_id: str, item_id: str, body: Hide, actor: CirclesWrite
) -> Response:
    """Hide or show a demand, proposal or comment (owners of the micro-enterprise)."""
    with platform.db.write() as session:
        service.hide(session, actor, circle_id, item_id, body.hidden)
    return Response(status_code=204)


@router.put("/circles/{circle_id}/locked", response_model=CircleOut, responses=CHANGE)
def lock_circle(
    platform: PlatformDep, circle_id: str, body: Lock, actor: CirclesWrite
) -> CircleOut:
    """Lock (nothing new can be added) or unlock the circle (owners)."""
    with platform.db.write() as session:
        return service.circle_out(
            session, actor, service.lock(session, actor, circle_id, body.locked)
        )


@router.post(
    "/circles/{circle_id}/aggregations", status_code=201, response_model=RunOut, responses=CHANGE
)
async def run_aggregation(
    platform: PlatformDep,
    circle_id: str,
    body: NewAggregation,
    actor: CirclesWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Pool the visible demands into models; the models become the circle's proposals (owners).

    The clustering runs in a worker process, between a read and a write transaction.
    """
    db = platform.db

    def gather() -> proposals.Inputs:
        with db.read() as session:
            return proposals.gather(session, actor, circle_id)

    inputs = await run_in_threadpool(gather)
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(platform.crunch(), proposals.compute, inputs, body)

    def store(session: Session) -> RunOut:
        run = proposals.store(session, actor, inputs, result)
        return RunOut(
            id=run.id,
            models=result.k,
            coverage=result.coverage,
            demands=len(inputs.demands),
            created_at=run.created_at,
        )

    return await run_in_threadpool(idempotent.create, actor, body, store)


@router.get(
    "/circles/{circle_id}/proposals",
    response_model=list[ProposalOut],
    responses=PAGED,
    tags=["public"],
)
def list_proposals(
    platform: PlatformDep, circle_id: str, viewer: Viewer, page: Paging
) -> list[ProposalOut]:
    """The models, with the caller's demands each is for and what differs from what they asked."""
    with platform.db.read() as session:
        return page.pick(proposals.list_proposals(session, viewer, circle_id), lambda out: out)


@router.post(
    "/proposals/{proposal_id}/batches", status_code=201, response_model=BatchOut, responses=CHANGE
)
def open_preorder_batch(
    proposal_id: str,
    body: NewBatch,
    actor: CirclesWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Offer the proposal for pre-order: made once `threshold` pre-orders are paid before
    `deadline`, otherwise every payment is refunded (owners)."""
    return idempotent.create(
        actor, body, lambda s: batches.batch_out(s, batches.open_batch(s, actor, proposal_id, body))
    )


@router.post(
    "/batches/{batch_id}/preorders", status_code=201, response_model=OrderOut, responses=CHANGE
)
def place_preorder(
    platform: PlatformDep,
    batch_id: str,
    actor: OrdersWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Pre-order one piece of the proposal; pay it with POST /api/v1/orders/{id}/pay."""
    placed = placement.place(
        platform.db,
        idempotent.claim(actor, None),
        lambda session: batches.prepare_preorder(session, actor, batch_id),
        lambda session, order: batches.join_batch(session, actor, batch_id, order.order_id),
    )
    return answer(placed)
