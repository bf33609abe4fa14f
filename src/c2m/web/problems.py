"""Every error leaves as ``application/problem+json`` (RFC 9457) with a sentence a person reads."""

from __future__ import annotations

import http
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from c2m.kernel.errors import C2MError, describe_validation
from c2m.kernel.problem_types import CATALOGUE, ProblemCode

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    """An RFC 9457 problem document; ``type`` is ``/problems/<code>``, a page saying what it
    means and what to do (the catalogue in docs/api.md)."""

    model_config = ConfigDict(extra="allow")  # extension members (RFC 9457 §3.2)

    type: str
    code: ProblemCode
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem_response(
    code: ProblemCode, detail: str, request: Request, *, status: int | None = None, **extra: Any
) -> JSONResponse:
    """The problem document of ``code``; ``status`` only where one code serves several (the
    framework's own HTTP errors)."""
    body = problem_document(code, detail, request.url.path, status=status, **extra)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON)


def problem_document(
    code: ProblemCode, detail: str, instance: str, *, status: int | None = None, **extra: Any
) -> dict[str, Any]:
    kind = CATALOGUE[code]
    return Problem(
        type=kind.uri,
        code=code,
        title=kind.title,
        status=status or kind.status,
        detail=detail,
        instance=instance,
        **extra,
    ).model_dump(mode="json", exclude_none=True)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(
            ProblemCode.MALFORMED_JSON,
            "The body is not valid JSON; check quotes, commas and brackets.",
            request,
        )
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    about_body = any(e.get("loc", ("",))[0] == "body" for e in errors)
    api = request.url.path.startswith("/api/")
    json_body = api and not _takes_form(request)  # pages and the OAuth token endpoint take forms
    if json_body and about_body and media_type and media_type != "application/json":
        return problem_response(
            ProblemCode.UNSUPPORTED_MEDIA_TYPE,
            f"The body was sent as {media_type}; send it as JSON "
            "with Content-Type: application/json.",
            request,
        )
    slim = [
        {"loc": [str(p) for p in e.get("loc", ())], "type": e["type"], "msg": e.get("msg", "")}
        for e in errors
    ]
    return problem_response(
        ProblemCode.INVALID_INPUT, describe_validation(errors), request, errors=slim
    )


def _takes_form(request: Request) -> bool:
    route = request.scope.get("route")
    body = getattr(route, "body_field", None)
    return isinstance(getattr(body, "field_info", None), params.Form)


async def _pydantic(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationError)
    detail = describe_validation(list(exc.errors()))
    return problem_response(ProblemCode.INVALID_INPUT, detail, request)


async def domain_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, C2MError)
    errors = exc.extra.get("errors")  # e.g. every rule an invalid template breaks
    response = problem_response(exc.code, exc.detail, request, status=exc.status, errors=errors)
    if "retry_after" in exc.extra:
        response.headers["Retry-After"] = str(exc.extra["retry_after"])
    return response


_HTTP_PROBLEMS = {
    400: (ProblemCode.BAD_REQUEST, "The request cannot be understood as sent."),
    401: (ProblemCode.NOT_AUTHENTICATED, "Log in, or send a valid API token."),
    403: (ProblemCode.FORBIDDEN, "You may not do this."),
    404: (ProblemCode.NOT_FOUND, "There is nothing at this address."),
    405: (ProblemCode.METHOD_NOT_ALLOWED, "This address does not accept that method."),
    406: (ProblemCode.NOT_ACCEPTABLE, "This address cannot answer in the format asked for."),
    408: (ProblemCode.REQUEST_TIMEOUT, "The request came in too slowly; send it again."),
    413: (ProblemCode.PAYLOAD_TOO_LARGE, "The request body is too large."),
    415: (ProblemCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json."),
}


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route answers at this path.

    Starlette names only the methods of the first route that matched the path, so a path served
    by two routes (GET and POST /tokens) would advertise one of them.
    """
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


def _reason(status: int) -> str:
    """Starlette's detail when none was given: the status's reason phrase."""
    try:
        return http.HTTPStatus(status).phrase.lower()
    except ValueError:
        return ""


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, default = _HTTP_PROBLEMS.get(exc.status_code, (ProblemCode.BAD_REQUEST, ""))
    given = exc.detail if isinstance(exc.detail, str) else ""
    plain = given.lower() in {CATALOGUE[code].title.lower(), _reason(exc.status_code)}
    detail = given if given and not plain else default or "The request failed."
    response = problem_response(code, detail, request, status=exc.status_code)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        if allowed:
            response.headers["Allow"] = allowed
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        ProblemCode.INTERNAL_ERROR,
        "Something went wrong on our side; nothing was changed. Please try again.",
        request,
    )


Handler = Callable[[Request, Exception], Awaitable[Response]]


def install(app: FastAPI, present: Callable[[Handler], Handler] | None = None) -> None:
    """The handlers, each through ``present`` (which may answer a browser with a page)."""
    handlers: tuple[tuple[type[Exception], Handler], ...] = (
        (RequestValidationError, _validation),
        (ValidationError, _pydantic),
        (C2MError, domain_problem),
        (StarletteHTTPException, _http),
        (Exception, _unexpected),
    )
    for kind, handler in handlers:
        app.add_exception_handler(kind, present(handler) if present else handler)
    app.openapi = _problem_openapi(app)  # type: ignore[method-assign]


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_PROBLEM_DESCRIPTIONS = {
    "400": "The body is not valid JSON",
    "401": "No valid session or API token",
    "403": "Signed in, but not allowed to do this",
    "404": "Nothing here, or nothing this caller may see",
    "409": "The order changed meanwhile, or the same Idempotency-Key is still running",
    "413": "The body is larger than the server accepts",
    "408": "The body came in too slowly (docs/configuration.md: C2M_BODY_GRACE_SECONDS)",
    "410": "The link has expired; a fresh one comes with the next command",
    "415": "The body was not sent as application/json",
    "422": "The input breaks a rule; `detail` says which field and why",
    "429": "Too many calls; `Retry-After` says in how many seconds to try again",
}


def _problem_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Describe errors as they really leave: problem+json, for every operation.

    FastAPI documents its own 422 shape (``HTTPValidationError``) as ``application/json``, and
    only where a route asks; the handlers above answer every 4xx/5xx with a ``Problem`` instead,
    and any operation with a body can meet malformed JSON (400) or the body limit (413).
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _declare_problems(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    return openapi


def _declare_problems(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))  # the ProblemCode enum, beside the others
    components["Problem"] = problem
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            wanted: set[str] = set()
            if operation.get("requestBody"):
                wanted |= {"400", "413", "415", "422"}
            if operation.get("parameters"):
                wanted.add("422")
            if operation.get("security"):
                wanted.add("429")
            for status in wanted - responses.keys():
                responses[status] = {}
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}
                    if response.get("description") in {None, "Problem", "Validation Error"}:
                        response["description"] = _PROBLEM_DESCRIPTIONS.get(status, "Problem")
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problem documents an endpoint may answer with."""
    return {
        status: {
            "description": _PROBLEM_DESCRIPTIONS.get(str(status), "Problem"),
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
        }
        for status in statuses
    }
