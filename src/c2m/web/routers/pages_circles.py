"""Circle pages, mobile first: the list, a circle (demands, votes, proposals, "your model") and
the owner's page (the coverage curve and the demand map). circles.js sends every form to the
API with the session's CSRF token, so the pages change nothing themselves.
"""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Request
from fastapi.responses import Response

from c2m.domains.catalog import templates
from c2m.domains.circles import proposals, run_charts, service
from c2m.domains.circles.schemas import CommentOut
from c2m.web import links
from c2m.web.auth import OptionalCaller, PlatformDep
from c2m.web.routers.pages import signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/circles")
def circles_page(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    actor = caller.actor if caller else None
    with platform.db.read() as session:
        circles = [service.circle_out(session, actor, c) for c in service.list_circles(session)]
    return render(request, caller, "circles.html", {"circles": circles})


@router.get("/circles/{circle_id}")
def circle_page(
    request: Request, platform: PlatformDep, circle_id: str, caller: OptionalCaller
) -> Response:
    actor = caller.actor if caller else None
    with platform.db.read() as session:
        circle = service.load_circle(session, actor, circle_id, inside=False)
        context = {"circle": service.circle_out(session, actor, circle), "inside": False}
        if service.can_read(session, actor, circle):
            loaded = templates.load(session, actor, circle.template_id)
            comments: defaultdict[str, list[CommentOut]] = defaultdict(list)
            for comment in service.list_comments(session, actor, circle.id):
                comments[comment.item_id].append(comment)
            context |= {
                "inside": True,
                "options": loaded.compiled.template.options,
                "demands": service.list_demands(session, actor, circle.id, links.demand_picture),
                "proposals": proposals.list_proposals(session, actor, circle.id),
                "comments": comments,
            }
    return render(request, caller, "circle.html", context)


@router.get("/circles/{circle_id}/owner")
def owner_page(
    request: Request, platform: PlatformDep, circle_id: str, caller: OptionalCaller
) -> Response:
    caller = signed_in(request, caller)
    with platform.db.read() as session:
        circle = service.owned_circle(session, caller.actor, circle_id)
        run = proposals.latest_run(session, circle)
        context = {
            "circle": service.circle_out(session, caller.actor, circle),
            "run": run,
            "curve": run_charts.curve_svg(run) if run else None,
            "map": run_charts.map_svg(run) if run else None,
            "proposals": proposals.list_proposals(session, caller.actor, circle.id),
        }
    return render(request, caller, "circle_owner.html", context)
