"""Where a problem's ``type`` URI leads: a page per problem type, and the whole catalogue.

A developer who meets ``"type": "/problems/order-changed"`` in a response opens it on the same
server and reads what it means and what to do, without a network trip to anywhere else.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from c2m.kernel.errors import NotFound
from c2m.kernel.problem_types import CATALOGUE, ProblemCode
from c2m.web.auth import OptionalCaller
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/problems")
def problem_catalogue(request: Request, caller: OptionalCaller) -> Response:
    return render(request, caller, "problem_types.html", {"types": list(CATALOGUE.values())})


@router.get("/problems/{code}")
def problem_type(request: Request, caller: OptionalCaller, code: str) -> Response:
    try:
        kind = CATALOGUE[ProblemCode(code)]
    except ValueError:
        raise NotFound(f"There is no problem type {code!r}; the list is at /problems.") from None
    return render(request, caller, "problem_types.html", {"types": [kind], "single": True})
