"""Every error leaves as ``application/problem+json`` (RFC 9457) with a sentence a person reads."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from c2m.kernel.errors import C2MError, describe_validation

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem_response(
    status: int, title: str, detail: str, request: Request, **extra: Any
) -> JSONResponse:
    body = Problem(
        title=title, status=status, detail=detail, instance=request.url.path, **extra
    ).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(
            400,
            "Malformed JSON",
            "The body is not valid JSON; check quotes, commas and brackets.",
            request,
        )
    slim = [
        {"loc": [str(p) for p in e.get("loc", ())], "type": e["type"], "msg": e.get("msg", "")}
        for e in errors
    ]
    return problem_response(422, "Invalid input", describe_validation(errors), request, errors=slim)


async def _pydantic(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationError)
    return problem_response(422, "Invalid input", describe_validation(list(exc.errors())), request)


async def domain_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, C2MError)
    return problem_response(exc.status, exc.title, exc.detail, request)


_HTTP_TITLES = {
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that method."),
    406: ("Not acceptable", "This address cannot answer in the format asked for."),
    413: ("Payload too large", "The request body is too large."),
    415: ("Unsupported media type", "Send the body as application/json."),
}


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title, default = _HTTP_TITLES.get(exc.status_code, ("Error", "The request failed."))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in {title} else default
    response = problem_response(exc.status_code, title, detail, request)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "Internal error",
        "Something went wrong on our side; nothing was changed. Please try again.",
        request,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ValidationError, _pydantic)
    app.add_exception_handler(C2MError, domain_problem)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problem documents an endpoint may answer with."""
    return {
        status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Problem"}
        for status in statuses
    }
