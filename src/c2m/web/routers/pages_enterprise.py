"""The micro-enterprise's order desk: its orders, moved along by hand until the factory does it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.domains.catalog import templates
from c2m.domains.catalog.schemas import NewTemplate
from c2m.domains.insights import feedback
from c2m.domains.orders import service as orders
from c2m.domains.orders.schemas import Advance
from c2m.domains.orders.states import OrderState, next_moves
from c2m.domains.planning import floor
from c2m.domains.platform import service as accounts
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import Conflict, InvalidInput, NotFound
from c2m.web import links
from c2m.web.auth import Caller, OptionalCaller, PlatformDep
from c2m.web.routers.pages import CsrfField, signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)

DefinitionField = Annotated[str, Form(max_length=200_000)]
PublishedField = Annotated[bool, Form()]

#: What a new template starts from: small, valid, and showing each part once (docs/catalog.md).
STARTER_TEMPLATE = json.dumps(
    {
        "key": "name-plate",
        "name": "Engraved name plate",
        "description": "A plate with your text engraved.",
        "options": [
            {
                "kind": "number",
                "name": "width",
                "minimum": 40,
                "maximum": 200,
                "step": 10,
                "unit": "mm",
                "default": 80,
                "label": "Width",
            },
            {
                "kind": "choice",
                "name": "material",
                "choices": ["brass", "steel"],
                "label": "Material",
            },
            {
                "kind": "text",
                "name": "text",
                "max_length": 30,
                "allowed": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-",
                "default": "Hello",
                "label": "Text",
            },
        ],
        "rules": [
            {
                "id": "text-fits",
                "condition": "len(text) * 6 <= width",
                "message": "Each letter needs 6 mm of width",
            },
        ],
        "prices": [
            {"id": "base", "label": "Plate", "amount": "900 + 10 * width"},
            {"id": "letters", "label": "Engraving", "amount": "40 * len(text)"},
        ],
        "lead_times": [{"id": "base", "label": "Made to order", "days": "2"}],
        "routing": [
            {"id": "cut", "name": "Cut", "capability": "sheet-cut", "minutes": "3 * quantity"},
            {"id": "pack", "name": "Pack", "capability": "pack", "minutes": "1 + quantity"},
        ],
    },
    indent=2,
)


@router.get("/workshop")
def workshop(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        desks = [
            (
                enterprise,
                orders.list_enterprise_orders(session, actor, enterprise.id, limit=50, offset=0),
                templates.list_templates(session, actor, enterprise.id),
            )
            for enterprise in accounts.enterprises_of(session, actor)
        ]
        factories = floor.factories_of(session, actor)
        voices = {
            enterprise.id: (
                feedback.enterprise_net_promoter(session, actor, enterprise.id),
                feedback.latest(session, actor, enterprise.id, limit=5),
            )
            for enterprise, _, _ in desks
        }
    context = {"desks": desks, "next_moves": next_moves, "factories": factories, "voices": voices}
    return render(request, caller, "workshop.html", context)


@router.post("/workshop/orders/{order_id}/advance")
def advance(
    request: Request,
    platform: PlatformDep,
    order_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    to: Annotated[OrderState, Form()],
    expected_version: Annotated[int, Form(ge=1)],
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Move an order; back to the order's page when asked from there, else the workshop."""
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        orders.advance(session, actor, order_id, Advance(to=to, expected_version=expected_version))
    there = links.order_page(order_id)
    return RedirectResponse(there if back == there else "/workshop", status_code=303)


def _template_form(
    request: Request,
    caller: Caller | None,
    *,
    action: str,
    title: str,
    text: str,
    published: bool,
    configure_url: str | None = None,
    error: InvalidInput | Conflict | None = None,
) -> Response:
    """The editor: a form over the template's JSON (static/template_editor.js), the JSON itself
    for experts, and a refusal's sentence with each field's own words for the form to place."""
    context = {
        "action": action,
        "title": title,
        "text": text,
        "published": published,
        "configure_url": configure_url,
        "error": error.detail if error else None,
        "field_errors": error.extra.get("errors", []) if error else [],
    }
    status_code = error.status if error else 200
    return render(request, caller, "workshop_template.html", context, status_code=status_code)


def _parse_template(text: str, published: bool) -> NewTemplate:
    try:
        definition = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"The definition is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    return NewTemplate(definition=templates.parse_definition(definition), published=published)


def _save_template(
    request: Request,
    platform: Platform,
    caller: Caller | None,
    csrf_token: str,
    text: str,
    published: bool,
    action: str,
    title: str,
    store: Callable[[Session, Actor, NewTemplate], templates.Loaded],
    configure_url: str | None = None,
) -> Response:
    """Validate and store a template from the form; on any refusal show the form again."""
    actor = signed_in(request, caller, csrf_token).actor
    try:
        data = _parse_template(text, published)
        with platform.db.write() as session:
            loaded = store(session, actor, data)
    except (InvalidInput, Conflict) as exc:
        return _template_form(
            request,
            caller,
            action=action,
            title=title,
            text=text,
            published=published,
            configure_url=configure_url,
            error=exc,
        )
    return RedirectResponse(
        links.workshop_template(loaded.template.id)
        + "?msg="
        + quote(f"Saved as version {loaded.row.version}."),
        status_code=303,
    )


@router.get("/workshop/enterprises/{enterprise_id}/templates/new")
def new_template_form(
    request: Request, platform: PlatformDep, enterprise_id: str, caller: OptionalCaller
) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        enterprise = accounts.get_enterprise(session, actor, enterprise_id)
    return _template_form(
        request,
        caller,
        action=links.workshop_templates(enterprise_id),
        title=f"New product template for {enterprise.name}",
        text=STARTER_TEMPLATE,
        published=False,
    )


@router.post("/workshop/enterprises/{enterprise_id}/templates")
def create_template(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    definition: DefinitionField,
    published: PublishedField = False,
) -> Response:
    return _save_template(
        request,
        platform,
        caller,
        csrf_token,
        definition,
        published,
        links.workshop_templates(enterprise_id),
        "New product template",
        lambda session, actor, data: templates.create_template(session, actor, enterprise_id, data),
    )


@router.get("/workshop/templates/{template_id}")
def edit_template_form(
    request: Request, platform: PlatformDep, template_id: str, caller: OptionalCaller
) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        loaded = templates.load(session, actor, template_id)
        if not actor.is_member_of(loaded.template.enterprise_id):
            raise NotFound("There is no such product template, or it is not yours to edit.")
        out = loaded.out()
    return _template_form(
        request,
        caller,
        action=links.workshop_template(template_id),
        title=f"{out.name}, version {out.version}",
        text=json.dumps(out.definition.model_dump(mode="json"), indent=2),
        published=out.published,
        configure_url=links.configure(template_id),
    )


@router.post("/workshop/templates/{template_id}")
def save_template_version(
    request: Request,
    platform: PlatformDep,
    template_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    definition: DefinitionField,
    published: PublishedField = False,
) -> Response:
    return _save_template(
        request,
        platform,
        caller,
        csrf_token,
        definition,
        published,
        links.workshop_template(template_id),
        "Edit product template",
        lambda session, actor, data: templates.new_version(session, actor, template_id, data),
        links.configure(template_id),
    )
