"""Offers: a maker answers the jobs routed to them (accept, decline with a reason, counter within
the bounds); the platform owner routes a job and reads every maker's reason. Another maker's
offer is a 404, as if it did not exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from c2m.domains.makers import offer_views, offers
from c2m.domains.makers.offer_schemas import (
    JobState,
    NewRoutedJob,
    OfferCounter,
    OfferDecline,
    OfferOut,
    RoutedJobOut,
)
from c2m.engines.routing import OfferState
from c2m.kernel.clock import utcnow
from c2m.web.auth import Makers, PlatformDep
from c2m.web.idempotent import Idempotent
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["makers"], responses=problem_responses(401, 404))

ANSWER = problem_responses(409, 422)
OWNER = problem_responses(403)
OfferStateFilter = Annotated[OfferState | None, Query(description="Only offers in this state")]
JobStateFilter = Annotated[JobState | None, Query(description="Only jobs in this state")]


@router.get("/makers/me/offers", response_model=list[OfferOut], responses=PAGED)
def list_my_maker_offers(
    platform: PlatformDep, actor: Makers, page: Paging, state: OfferStateFilter = None
) -> list[OfferOut]:
    """Your offers, oldest first by ``offered_at``; ``state=offered`` are the ones to answer
    (before ``expires_at``). ``updated_since`` finds the ones answered or timed out since."""
    with platform.db.read() as session:
        found = offer_views.page_my_offers(session, actor, page.window, state)
        return page.answer_by(found, offer_views.offer_key, lambda out: out)


@router.post("/makers/me/offers/{offer_id}/accept", response_model=OfferOut, responses=ANSWER)
def accept_maker_offer(platform: PlatformDep, offer_id: str, actor: Makers) -> OfferOut:
    """Take the job on the offered terms."""
    with platform.db.write() as session:
        return offer_views.offer_out(
            session, offers.accept_offer(session, actor, offer_id, utcnow())
        )


@router.post("/makers/me/offers/{offer_id}/decline", response_model=OfferOut, responses=ANSWER)
def decline_maker_offer(
    platform: PlatformDep, offer_id: str, body: OfferDecline, actor: Makers
) -> OfferOut:
    """Say no, and why; the job goes to the next maker."""
    with platform.db.write() as session:
        row = offers.decline_offer(session, actor, offer_id, body.reason, utcnow())
        return offer_views.offer_out(session, row)


@router.post("/makers/me/offers/{offer_id}/counter", response_model=OfferOut, responses=ANSWER)
def counter_maker_offer(
    platform: PlatformDep, offer_id: str, body: OfferCounter, actor: Makers
) -> OfferOut:
    """Ask another price (at most ``max_price``) or ready date (by ``ship_by``): within those
    bounds the platform takes it at once; outside them it is refused and the offer stays open."""
    with platform.db.write() as session:
        row = offers.counter_offer(session, actor, offer_id, body, utcnow())
        return offer_views.offer_out(session, row)


@router.post("/routed-jobs", status_code=201, response_model=RoutedJobOut, responses=OWNER)
def create_routed_job(body: NewRoutedJob, actor: Makers, idempotent: Idempotent) -> JSONResponse:
    """Route a part to makers (the platform owner): every maker's reason is stored and the job
    is offered to the first ranked one."""

    def create(session: Session) -> RoutedJobOut:
        job = offers.create_job(session, actor, body, utcnow())
        return offer_views.routed_job(session, actor, job.id)

    return idempotent.create(actor, body, create)


@router.get("/routed-jobs", response_model=list[RoutedJobOut], responses={**OWNER, **PAGED})
def list_routed_jobs(
    platform: PlatformDep, actor: Makers, page: Paging, state: JobStateFilter = None
) -> list[RoutedJobOut]:
    """Every routed job with its reasons, oldest first (the platform owner)."""
    with platform.db.read() as session:
        jobs = offer_views.page_jobs(session, actor, page.window, state)
        return page.answer(jobs, lambda job: offer_views.job_out(session, job))


@router.get("/routed-jobs/{job_id}", response_model=RoutedJobOut, responses=OWNER)
def get_routed_job(platform: PlatformDep, job_id: str, actor: Makers) -> RoutedJobOut:
    """One routed job with every maker considered and why they stood where they did."""
    with platform.db.read() as session:
        return offer_views.routed_job(session, actor, job_id)
