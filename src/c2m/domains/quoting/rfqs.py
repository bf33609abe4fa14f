"""Requests for quote: when a part cannot be priced automatically (or the customer prefers a
person), a message with the files goes to the micro-enterprise's inbox and is answered there."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.platform.actor import Actor
from c2m.domains.quoting.models import Rfq, RfqStatus, Upload
from c2m.domains.quoting.quoters import quoting_service
from c2m.domains.quoting.schemas import NewRfq, RfqAnswer
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, InvalidInput, NotFound


def create_rfq(session: Session, actor: Actor, data: NewRfq) -> Rfq:
    quoting_service(session, data.enterprise_id)
    upload_ids = list(dict.fromkeys(data.upload_ids))
    for upload_id in upload_ids:
        upload = session.get(Upload, upload_id)
        if upload is None or upload.owner_id != actor.user_id:
            raise NotFound(f"There is no upload {upload_id!r} of yours.")
        if upload.enterprise_id != data.enterprise_id:
            raise InvalidInput(f"{upload.filename} was uploaded for another micro-enterprise.")
    rfq = Rfq(
        owner_id=actor.user_id,
        enterprise_id=data.enterprise_id,
        message=data.message,
        upload_ids=upload_ids,
        status=RfqStatus.OPEN,
    )
    session.add(rfq)
    session.flush()
    return rfq


def load_rfq(session: Session, actor: Actor, rfq_id: str) -> Rfq:
    rfq = session.get(Rfq, rfq_id)
    if rfq is None or not (rfq.owner_id == actor.user_id or actor.is_member_of(rfq.enterprise_id)):
        raise NotFound("There is no such request for quote, or it is not yours.")
    return rfq


def my_rfqs(session: Session, actor: Actor) -> list[Rfq]:
    query = select(Rfq).where(Rfq.owner_id == actor.user_id)
    return list(session.scalars(query.order_by(Rfq.created_at.desc(), Rfq.id)))


def inbox(session: Session, actor: Actor, enterprise_id: str) -> list[Rfq]:
    """Open requests first, newest first; members of the micro-enterprise only."""
    actor.require_member_of(enterprise_id)
    query = select(Rfq).where(Rfq.enterprise_id == enterprise_id)
    rows = session.scalars(query.order_by(Rfq.created_at.desc(), Rfq.id))
    return sorted(rows, key=lambda rfq: rfq.status is not RfqStatus.OPEN)


def files_of(session: Session, requests: list[Rfq]) -> dict[str, Upload]:
    """The uploads the requests carry, by id, to show their names."""
    wanted = {upload_id for rfq in requests for upload_id in rfq.upload_ids}
    found = session.scalars(select(Upload).where(Upload.id.in_(wanted)))
    return {upload.id: upload for upload in found}


def answer_rfq(session: Session, actor: Actor, rfq_id: str, data: RfqAnswer) -> Rfq:
    rfq = load_rfq(session, actor, rfq_id)
    if not actor.is_member_of(rfq.enterprise_id):
        raise NotFound("There is no such request for quote in your inbox.")
    if rfq.status is RfqStatus.ANSWERED:
        raise Conflict("This request has already been answered.")
    rfq.status = RfqStatus.ANSWERED
    rfq.answer = data.message
    rfq.answer_price = data.price
    rfq.answer_ship_date = data.ship_date
    rfq.answered_by = actor.user_id
    rfq.answered_at = utcnow()
    session.flush()
    return rfq
