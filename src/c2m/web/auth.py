"""Who is calling: a personal API token (scripts) or a session cookie (browsers).

Cookie-authenticated requests that change something must carry the session's CSRF token, in the
``X-CSRF-Token`` header (fetch) or a ``csrf_token`` form field (pages); token callers need none,
since a browser never attaches a bearer token on its own.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from c2m.bootstrap import Platform
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.scopes import Scope, grants
from c2m.domains.platform.service import note_token_use, resolve_session, resolve_token
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Forbidden, NotAuthenticated
from c2m.kernel.problem_types import ProblemCode
from c2m.web.rate_limits import RateLimits

SESSION_COOKIE = "c2m_session"
ANON_CSRF_COOKIE = "c2m_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="A personal API token (c2m_...) from the account page or POST /api/v1/tokens",
)


@dataclass(frozen=True)
class Caller:
    actor: Actor
    csrf_token: str | None  # None for token callers


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def current_platform(request: Request) -> Platform:
    """The platform as a route parameter; async, or each request would pay a thread hop for it."""
    return platform_of(request)


PlatformDep = Annotated[Platform, Depends(current_platform)]


def identify(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Caller | None:
    platform = platform_of(request)
    if credentials is not None:
        secret = credentials.credentials
        actor = platform.tokens.get(secret)
        if actor is None:
            actor = _holder_of(platform, secret)
        return Caller(actor, None)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with platform.db.read() as session:
            resolved = resolve_session(session, cookie)
        if resolved is not None:
            return Caller(*resolved)
    return None


def _holder_of(platform: Platform, secret: str) -> Actor:
    """Look the token up, refuse it if revoked or expired, note its use and remember it."""
    with platform.db.read() as session:
        holder = resolve_token(session, secret)
    if holder is None:
        raise NotAuthenticated("The API token is unknown or has been revoked.")
    now = utcnow()
    if holder.expired(now):
        assert holder.expires_at is not None
        raise NotAuthenticated(
            f"The API token expired on {holder.expires_at:%Y-%m-%d at %H:%M} UTC; "
            "create a new one (or get one with your service client's credentials).",
            code=ProblemCode.TOKEN_EXPIRED,
        )
    if holder.use_unnoted(now):
        with platform.db.write() as session:
            note_token_use(session, holder.token_id, now)
    platform.tokens.put(secret, holder.actor, holder.expires_at)
    return holder.actor


async def optional_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller | None:
    """Async so that a remembered API token costs no thread hop; look-ups run in the pool."""
    known = platform_of(request).tokens.get(credentials.credentials) if credentials else None
    caller = (
        Caller(known, None) if known else await run_in_threadpool(identify, request, credentials)
    )
    request.state.caller = caller
    return caller


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


async def api_actor(
    request: Request,
    needed: SecurityScopes,
    caller: Annotated[Caller | None, Depends(optional_caller)],
) -> Actor:
    """The signed-in actor of an API call; CSRF-checked when the call rides on a cookie, refused
    if its token lacks the operation's scope, and counted against the token's (or the person's)
    rate limit.

    Async because its only I/O is the rate limit's: a sync dependency would cost a thread hop
    per request.
    """
    if caller is None:
        raise NotAuthenticated("Sign in or send an API token (Authorization: Bearer c2m_...).")
    missing = [name for name in needed.scopes if not grants(caller.actor.scopes, Scope(name))]
    if missing:
        raise Forbidden(
            f"This token lacks the scope {', '.join(missing)}; create a token with it to do this.",
            code=ProblemCode.INSUFFICIENT_SCOPE,
        )
    needs_csrf = caller.csrf_token is not None and request.method not in SAFE_METHODS
    if needs_csrf and not csrf_matches(caller.csrf_token, request.headers.get("x-csrf-token")):
        raise Forbidden("The CSRF token is missing or wrong; reload the page and try again.")
    limits: RateLimits = request.app.state.rate_limits
    await limits.spend("api", _spender(request, caller))
    return caller.actor


def _spender(request: Request, caller: Caller) -> str:
    """Whose budget a call spends: its token's (by a hash: secrets stay out of the storage),
    or the signed-in person's."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if caller.csrf_token is None and scheme.lower() == "bearer" and secret:
        return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "user:" + caller.actor.user_id


def _scoped(scope: Scope) -> Any:
    return Security(api_actor, scopes=[scope.value])


# What each API operation asks of its caller; the scope shows in the OpenAPI document.
Account = Annotated[Actor, _scoped(Scope.ACCOUNT)]
OrdersRead = Annotated[Actor, _scoped(Scope.ORDERS_READ)]
OrdersWrite = Annotated[Actor, _scoped(Scope.ORDERS_WRITE)]
CatalogWrite = Annotated[Actor, _scoped(Scope.CATALOG_WRITE)]
QuotesRead = Annotated[Actor, _scoped(Scope.QUOTES_READ)]
QuotesWrite = Annotated[Actor, _scoped(Scope.QUOTES_WRITE)]
CirclesWrite = Annotated[Actor, _scoped(Scope.CIRCLES_WRITE)]
Machines = Annotated[Actor, _scoped(Scope.MACHINES)]
Makers = Annotated[Actor, _scoped(Scope.MAKERS)]
LedgerRead = Annotated[Actor, _scoped(Scope.LEDGER_READ)]
InsightsRead = Annotated[Actor, _scoped(Scope.INSIGHTS_READ)]
EnterprisesAdmin = Annotated[Actor, _scoped(Scope.ENTERPRISES_ADMIN)]
Webhooks = Annotated[Actor, _scoped(Scope.WEBHOOKS)]
OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]


def public_viewer(request: Request) -> Actor | None:
    """Who is looking at a public endpoint, if anyone (members see their drafts there).

    Reads the bearer token itself so that the OpenAPI document declares no security for it;
    nothing changes through these endpoints, so a cookie needs no CSRF token.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    credentials = None
    if scheme.lower() == "bearer" and token:
        credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token)
    caller = identify(request, credentials)
    return caller.actor if caller else None


Viewer = Annotated[Actor | None, Depends(public_viewer)]
