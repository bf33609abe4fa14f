"""Each maker's recorded outcomes, as the engine's Maker Score reads them: the jobs their
machines finished or failed (from the factory's attempts) and how they answered offers. A maker
with no record yet gets the engine's prior, as every newcomer does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import AttemptStatus, JobAttempt
from c2m.domains.makers.models import MakerMachine, MakerOffer
from c2m.domains.planning.models import Operation
from c2m.engines.routing import JobOutcome, MakerScore, OfferAnswer, OfferState, score_maker
from c2m.engines.routing.clock import hours_at

#: How far back offers count towards even sharing (the engine's ``recent_offers``).
SHARING_WINDOW = timedelta(days=7)
ENDED = (AttemptStatus.DONE, AttemptStatus.FAILED)


def scores(session: Session, maker_ids: Iterable[str], now: datetime) -> dict[str, MakerScore]:
    """The Maker Score of every maker in ``maker_ids`` at ``now``."""
    ids = list(maker_ids)
    jobs: dict[str, list[JobOutcome]] = {m: [] for m in ids}
    answers: dict[str, list[OfferAnswer]] = {m: [] for m in ids}
    ended = session.execute(
        select(MakerMachine.maker_id, JobAttempt.status, JobAttempt.ended_at, Operation.capability)
        .join(JobAttempt, JobAttempt.machine_id == MakerMachine.machine_id)
        .outerjoin(Operation, Operation.id == JobAttempt.operation_id)
        .where(MakerMachine.maker_id.in_(ids), JobAttempt.status.in_(ENDED))
    )
    for maker_id, status, ended_at, capability in ended:
        at = hours_at(ended_at or now)
        jobs[maker_id].append(JobOutcome(capability or "", at, status is AttemptStatus.FAILED))
    answered = session.scalars(
        select(MakerOffer).where(MakerOffer.maker_id.in_(ids), MakerOffer.answered_at.is_not(None))
    )
    for offer in answered:
        assert offer.answered_at is not None  # selected so
        hours = (offer.answered_at - offer.offered_at) / timedelta(hours=1)
        answers[offer.maker_id].append(
            OfferAnswer(hours_at(offer.answered_at), OfferState(offer.state), hours)
        )
    moment = hours_at(now)
    return {m: score_maker(jobs[m], answers[m], moment) for m in ids}


def recent_offers(session: Session, now: datetime) -> dict[str, int]:
    """Offers each maker received in the sharing window, so equal makers share work evenly."""
    query = (
        select(MakerOffer.maker_id, func.count())
        .where(MakerOffer.offered_at >= now - SHARING_WINDOW)
        .group_by(MakerOffer.maker_id)
    )
    return {maker_id: int(count) for maker_id, count in session.execute(query)}
