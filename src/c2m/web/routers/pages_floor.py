"""The factory floor: a page for the micro-enterprise's members and the JSON it polls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from c2m.domains.planning import floor
from c2m.kernel.clock import utcnow
from c2m.web.auth import Machines, OptionalCaller, PlatformDep
from c2m.web.problems import problem_responses
from c2m.web.routers.pages import signed_in
from c2m.web.templating import render

router = APIRouter()


@router.get(
    "/api/v1/factories/{factory_id}/floor",
    tags=["factory"],
    responses=problem_responses(401, 404),
)
def get_factory_floor(platform: PlatformDep, factory_id: str, actor: Machines) -> dict[str, Any]:
    """Machines with their state and job, the current plan and recent re-plans, OEE."""
    with platform.db.read() as session:
        scale = platform.settings.factory_time_scale
        return floor.floor(session, actor, factory_id, utcnow(), scale)


@router.get("/workshop/factories/{factory_id}", include_in_schema=False)
def floor_page(
    request: Request, platform: PlatformDep, factory_id: str, caller: OptionalCaller
) -> Response:
    caller = signed_in(request, caller)
    with platform.db.read() as session:
        factory = floor.load_factory(session, caller.actor, factory_id)
    return render(request, caller, "floor.html", {"factory": factory})
