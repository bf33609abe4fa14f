"""The public catalog and its upkeep by micro-enterprise members."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog.models import Product
from c2m.domains.catalog.schemas import NewProduct
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import Conflict, Forbidden, NotFound
from c2m.kernel.problem_types import ProblemCode


def list_products(session: Session, enterprise_id: str | None = None) -> list[Product]:
    """Active products anyone may order, optionally of one micro-enterprise."""
    query = select(Product).where(Product.active.is_(True)).order_by(Product.name)
    if enterprise_id is not None:
        query = query.where(Product.enterprise_id == enterprise_id)
    return list(session.scalars(query))


def get_product(session: Session, product_id: str) -> Product:
    product = session.get(Product, product_id)
    if product is None or not product.active:
        raise NotFound("There is no such product, or it is no longer offered.")
    return product


def create_product(session: Session, actor: Actor, enterprise_id: str, data: NewProduct) -> Product:
    if not actor.is_member_of(enterprise_id):
        raise Forbidden("Only members of this micro-enterprise may add products to it.")
    if session.scalar(select(Product.id).where(Product.slug == data.slug)) is not None:
        raise Conflict(
            f"A product with the short name {data.slug!r} already exists.",
            code=ProblemCode.ALREADY_EXISTS,
        )
    product = Product(enterprise_id=enterprise_id, **data.model_dump())
    session.add(product)
    session.flush()
    return product
