"""Product templates (members of the micro-enterprise), configuring (anyone), designs (users)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from c2m.domains.catalog import designs, templates
from c2m.domains.catalog.schemas import (
    ConfigureIn,
    ConfigureOut,
    DesignOut,
    NewDesign,
    NewTemplate,
    PreviewIn,
    TemplateOut,
    VersionOut,
)
from c2m.domains.orders import placement
from c2m.domains.orders.schemas import OrderOut, ShareLink
from c2m.web import links
from c2m.web.auth import CatalogWrite, OrdersWrite, PlatformDep, Viewer
from c2m.web.idempotent import Idempotent, answer
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["templates"], responses=problem_responses(401, 404))

CREATE = problem_responses(401, 409, 413, 422)
Version = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="The latest if left out")]


@router.post(
    "/enterprises/{enterprise_id}/templates",
    status_code=201,
    response_model=TemplateOut,
    responses=CREATE,
)
def create_template(
    enterprise_id: str,
    body: NewTemplate,
    actor: CatalogWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """A new template; refused with 422 naming each rule, price or step that is wrong."""
    return idempotent.create(
        actor, body, lambda s: templates.create_template(s, actor, enterprise_id, body).out()
    )


@router.get(
    "/enterprises/{enterprise_id}/templates", response_model=list[TemplateOut], responses=PAGED
)
def list_templates(
    platform: PlatformDep, enterprise_id: str, viewer: Viewer, page: Paging
) -> list[TemplateOut]:
    """Members see drafts too; everyone else the published templates."""
    with platform.db.read() as session:
        found = templates.list_templates(session, viewer, enterprise_id)
        return page.pick(found, lambda t: templates.load(session, viewer, t.id).out())


@router.post(
    "/templates/{template_id}/versions",
    status_code=201,
    response_model=TemplateOut,
    responses=CREATE,
)
def create_template_version(
    template_id: str,
    body: NewTemplate,
    actor: CatalogWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """An edit: the next version. Designs and orders keep the version they were made with."""
    return idempotent.create(
        actor, body, lambda s: templates.new_version(s, actor, template_id, body).out()
    )


@router.get("/templates/{template_id}/versions", response_model=list[VersionOut], responses=PAGED)
def list_template_versions(
    platform: PlatformDep, template_id: str, viewer: Viewer, page: Paging
) -> list[VersionOut]:
    with platform.db.read() as session:
        rows = templates.list_versions(session, viewer, template_id)
        return page.pick(rows, VersionOut.model_validate)


@router.get("/templates/{template_id}", response_model=TemplateOut)
def get_template(
    platform: PlatformDep, template_id: str, viewer: Viewer, version: Version = None
) -> TemplateOut:
    with platform.db.read() as session:
        return templates.load(session, viewer, template_id, version).out()


@router.post(
    "/templates/{template_id}/configure",
    response_model=ConfigureOut,
    responses=problem_responses(422),
)
def configure_template(
    platform: PlatformDep, template_id: str, body: ConfigureIn, viewer: Viewer
) -> ConfigureOut:
    """Possibilities after the choices so far (impossible values with the rules that say so),
    the completed configuration, its price, lead time and routing. Changes nothing.
    """
    with platform.db.read() as session:
        loaded = templates.load(session, viewer, template_id, body.version)
        promiser = platform.promise(session, loaded.template.enterprise_id)
        return templates.configure(loaded, body, promiser)


@router.post(
    "/template-previews",
    response_model=ConfigureOut,
    responses=problem_responses(422),
)
def preview_template(body: PreviewIn, actor: CatalogWrite) -> ConfigureOut:
    """A template not saved yet, configured: the workshop's editor shows it as its owner types.
    Refused with 422 whose ``errors`` name each wrong field, rule, price or step. Stores nothing.
    """
    choices = ConfigureIn(choices=body.choices, quantity=body.quantity)
    return templates.preview(templates.parse_definition(body.definition), choices)


@router.post("/designs", status_code=201, response_model=DesignOut, responses=CREATE)
def save_design(
    body: NewDesign,
    actor: CatalogWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    return idempotent.create(
        actor, body, lambda s: DesignOut.model_validate(designs.save_design(s, actor, body))
    )


@router.get("/designs", response_model=list[DesignOut], responses=PAGED)
def list_designs(platform: PlatformDep, actor: CatalogWrite, page: Paging) -> list[DesignOut]:
    with platform.db.read() as session:
        return page.pick(designs.list_designs(session, actor), DesignOut.model_validate)


@router.get("/designs/{design_id}", response_model=DesignOut)
def get_design(platform: PlatformDep, design_id: str, actor: CatalogWrite) -> DesignOut:
    with platform.db.read() as session:
        return DesignOut.model_validate(designs.load_design(session, actor, design_id))


@router.post(
    "/designs/{design_id}/share", status_code=201, response_model=ShareLink, responses=CREATE
)
def share_design(
    platform: PlatformDep,
    design_id: str,
    actor: CatalogWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """A link that opens the design in the configurator for anyone holding it."""
    return idempotent.create(
        actor,
        None,
        lambda s: links.design_share_link(
            platform, designs.share_token(s, actor, design_id, platform.design_signer)
        ),
    )


@router.get("/shared-designs/{token}", response_model=DesignOut, tags=["public"])
def get_shared_design(platform: PlatformDep, token: str) -> DesignOut:
    with platform.db.read() as session:
        return DesignOut.model_validate(
            designs.shared_design(session, token, platform.design_signer)
        )


@router.post(
    "/designs/{design_id}/order", status_code=201, response_model=OrderOut, responses=CREATE
)
def order_design(
    platform: PlatformDep,
    design_id: str,
    actor: OrdersWrite,
    idempotent: Idempotent,
) -> JSONResponse:
    """Order the design: the line carries its template version, configuration, price, routing."""
    placed = placement.place(
        platform.db,
        idempotent.claim(actor, None),
        lambda session: placement.prepare_design_order(session, actor, design_id, platform.promise),
    )
    return answer(placed)
