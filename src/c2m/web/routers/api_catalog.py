"""The public catalog, and products added by micro-enterprise members."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from c2m.domains.catalog import service
from c2m.domains.catalog.schemas import NewProduct, ProductOut
from c2m.web.auth import CatalogWrite, PlatformDep
from c2m.web.idempotent import Idempotent
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/products", response_model=list[ProductOut], responses=PAGED)
def list_products(platform: PlatformDep, page: Paging) -> list[ProductOut]:
    with platform.db.read() as session:
        return page.pick(service.list_products(session), ProductOut.model_validate)


@router.get("/products/{product_id}", response_model=ProductOut, responses=problem_responses(404))
def get_product(platform: PlatformDep, product_id: str) -> ProductOut:
    with platform.db.read() as session:
        return ProductOut.model_validate(service.get_product(session, product_id))


@router.post(
    "/enterprises/{enterprise_id}/products",
    status_code=201,
    response_model=ProductOut,
    responses=problem_responses(401, 403, 409, 413, 422),
)
def create_product(
    enterprise_id: str,
    body: NewProduct,
    actor: CatalogWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    return idempotent.create(
        actor,
        body,
        lambda s: ProductOut.model_validate(service.create_product(s, actor, enterprise_id, body)),
    )
