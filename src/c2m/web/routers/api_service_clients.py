"""Service clients and the OAuth 2 token endpoint (client credentials) for server-to-server use."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from c2m.domains.platform import scopes as scopes_of
from c2m.domains.platform import service_clients
from c2m.domains.platform.schemas import (
    IssuedToken,
    NewServiceClient,
    ServiceClientCreated,
    ServiceClientOut,
)
from c2m.kernel.errors import C2MError, InvalidInput, NotAuthenticated, TooManyRequests
from c2m.kernel.problem_types import ProblemCode
from c2m.web.auth import Account, PlatformDep
from c2m.web.idempotent import Idempotent
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_response, problem_responses
from c2m.web.rate_limits import RateLimits, in_words

router = APIRouter(prefix="/api/v1", tags=["service clients"])

# What the token endpoint documents: other grants are answered with OAuth's own error, and a
# scope list names known scopes, space-separated.
GRANT_TYPES: dict[str, Any] = {"enum": ["client_credentials"]}
_ONE_SCOPE = "|".join(scope.value for scope in scopes_of.Scope)
SCOPE_LIST: dict[str, Any] = {"pattern": f"^({_ONE_SCOPE})( ({_ONE_SCOPE}))*$"}

# What OAuth 2 clients read (RFC 6749 §5.2), beside our own problem code.
_OAUTH_ERRORS = {
    ProblemCode.INVALID_CLIENT: "invalid_client",
    ProblemCode.UNSUPPORTED_GRANT_TYPE: "unsupported_grant_type",
    ProblemCode.INVALID_INPUT: "invalid_scope",
    ProblemCode.BAD_REQUEST: "invalid_request",
    ProblemCode.RATE_LIMITED: "slow_down",
}


@router.post(
    "/service-clients",
    status_code=201,
    response_model=ServiceClientCreated,
    responses=problem_responses(401, 403, 409, 413, 422),
)
def create_service_client(
    body: NewServiceClient, actor: Account, idempotent: Idempotent
) -> JSONResponse:
    """Credentials for a server: trade them at POST /api/v1/oauth/token for a short-lived token
    with (some of) these scopes. The secret is shown once."""

    def create(session: Session) -> ServiceClientCreated:
        client, secret = service_clients.create_client(
            session, actor, body.name, scopes_of.parse(body.scopes)
        )
        out = ServiceClientOut.model_validate(client).model_dump()
        return ServiceClientCreated.model_validate({**out, "client_secret": secret})

    return idempotent.create(actor, body, create)


@router.get(
    "/service-clients",
    response_model=list[ServiceClientOut],
    responses={**problem_responses(401), **PAGED},
)
def list_service_clients(
    platform: PlatformDep, actor: Account, page: Paging
) -> list[ServiceClientOut]:
    with platform.db.read() as session:
        found = service_clients.list_clients(session, actor)
        return page.pick(found, ServiceClientOut.model_validate)


@router.delete(
    "/service-clients/{client_id}",
    response_model=ServiceClientOut,
    responses=problem_responses(401, 403, 404),
)
def revoke_service_client(
    platform: PlatformDep, client_id: str, actor: Account
) -> ServiceClientOut:
    """Revoke the client and every token it got, at once."""
    with platform.db.write() as session:
        client, digests = service_clients.revoke_client(session, actor, client_id)
        out = ServiceClientOut.model_validate(client)
    for digest in digests:  # after the commit, or a reader could re-add one
        platform.tokens.forget(digest)
    return out


@router.post(
    "/oauth/token",
    response_model=IssuedToken,
    responses=problem_responses(400, 401, 422, 429),
)
def issue_token(
    request: Request,
    platform: PlatformDep,
    grant_type: Annotated[str, Form(max_length=40, json_schema_extra=GRANT_TYPES)],
    scope: Annotated[str, Form(max_length=400, json_schema_extra=SCOPE_LIST)] = "",
    client_id: Annotated[str, Form(max_length=40)] = "",
    client_secret: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The OAuth 2 client-credentials grant: the client authenticates with HTTP Basic (or
    ``client_id`` and ``client_secret`` in the form) and gets a bearer token that expires."""
    try:
        return _issue(request, platform, grant_type, scope, client_id, client_secret)
    except C2MError as exc:
        response = problem_response(
            exc.code,
            exc.detail,
            request,
            status=exc.status,
            error=_OAUTH_ERRORS.get(exc.code, "invalid_request"),
            error_description=exc.detail,
        )
        if "retry_after" in exc.extra:
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response


def _issue(
    request: Request,
    platform: PlatformDep,
    grant_type: str,
    scope: str,
    client_id: str,
    client_secret: str,
) -> Response:
    if grant_type != "client_credentials":
        raise C2MError(
            "Only grant_type=client_credentials is supported here.",
            code=ProblemCode.UNSUPPORTED_GRANT_TYPE,
        )
    client_id, client_secret = _credentials(request, client_id, client_secret)
    limits: RateLimits = request.app.state.rate_limits
    address = request.client.host if request.client else "unknown"
    wait = limits.login_wait(client_id, address)  # a client's secret is guarded like a password
    if wait:
        raise TooManyRequests(
            f"Too many wrong secrets. Try again in {in_words(wait)}.", retry_after=wait
        )
    asked = scopes_of.parse(scope.split()) if scope else None
    lifetime = timedelta(seconds=platform.settings.service_token_seconds)
    try:
        with platform.db.write() as session:
            issued = service_clients.issue_token(session, client_id, client_secret, asked, lifetime)
    except NotAuthenticated:
        limits.login_failed(client_id, address)
        raise
    body = IssuedToken(
        access_token=issued.secret,
        expires_in=int(issued.lifetime.total_seconds()),
        scope=scopes_of.stored(issued.scopes) or "",
    )
    return JSONResponse(body.model_dump(), headers={"Cache-Control": "no-store"})


def _credentials(request: Request, client_id: str, client_secret: str) -> tuple[str, str]:
    """The client's id and secret from HTTP Basic (preferred by RFC 6749) or the form."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidInput("The Basic credentials are not valid base64.") from None
    if not client_id or not client_secret:
        raise NotAuthenticated(
            "Send the client id and secret as HTTP Basic, or as client_id and client_secret.",
            code=ProblemCode.INVALID_CLIENT,
        )
    return client_id, client_secret
