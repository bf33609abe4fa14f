"""Which micro-enterprises quote uploaded parts, and the catalog product their orders are of."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog.models import Product
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise
from c2m.domains.quoting.models import QuotingService
from c2m.kernel.errors import NotFound

CUSTOM_PART_PRICE = 0  # each line of such an order carries the price of its quote


def quoting_service(session: Session, enterprise_id: str) -> QuotingService:
    service = session.get(QuotingService, enterprise_id)
    if service is None:
        raise NotFound("This micro-enterprise does not quote uploaded parts.")
    return service


def open_quoting(
    session: Session, enterprise: Enterprise, *, to_makers: bool = False
) -> QuotingService:
    """Let ``enterprise`` quote uploaded parts, with the default cost tables; made in its own
    factory, or ``to_makers`` (routed to independent makers)."""
    product = Product(
        enterprise_id=enterprise.id,
        slug=f"{enterprise.slug}-custom-parts",
        name="Custom part (from your CAD file)",
        description="A part made from your own file, at the price of its quote.",
        unit_price=CUSTOM_PART_PRICE,
        currency="EUR",
        active=False,  # ordered through quotes only, never from the catalog
    )
    session.add(product)
    session.flush()
    service = QuotingService(
        enterprise_id=enterprise.id, product_id=product.id, tables=None, to_makers=to_makers
    )
    session.add(service)
    session.flush()
    return service


def quoting_enterprises(session: Session) -> list[Enterprise]:
    """Micro-enterprises that take uploaded parts, for the home page."""
    query = select(Enterprise).join(QuotingService, QuotingService.enterprise_id == Enterprise.id)
    return list(session.scalars(query.order_by(Enterprise.name)))


def quoting_enterprise(session: Session, slug: str) -> Enterprise:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.slug == slug))
    if enterprise is None or session.get(QuotingService, enterprise.id) is None:
        raise NotFound("This micro-enterprise does not quote uploaded parts.")
    return enterprise


def set_fulfilment(
    session: Session, actor: Actor, enterprise_id: str, to_makers: bool
) -> QuotingService:
    """Owners choose who makes the parts ordered from now on: their factory or makers."""
    actor.require_member_of(enterprise_id)
    actor.require_owner_of(enterprise_id)
    service = quoting_service(session, enterprise_id)
    service.to_makers = to_makers
    session.flush()
    return service
