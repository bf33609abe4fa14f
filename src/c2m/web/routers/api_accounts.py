"""Who am I, my API tokens, my micro-enterprises."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from c2m.domains.ledger import earnings
from c2m.domains.ledger.schemas import EarningsOut
from c2m.domains.platform import scopes as scopes_of
from c2m.domains.platform import service
from c2m.domains.platform.schemas import (
    EnterpriseOut,
    Me,
    MembershipOut,
    NewToken,
    TokenCreated,
    TokenOut,
)
from c2m.web.auth import Account, LedgerRead, PlatformDep
from c2m.web.idempotent import Idempotent
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=problem_responses(401))


@router.get("/me", response_model=Me)
def get_me(platform: PlatformDep, actor: Account) -> Me:
    with platform.db.read() as session:
        enterprises = {e.id: e.name for e in service.enterprises_of(session, actor)}
    return Me(
        id=actor.user_id,
        email=actor.email,
        name=actor.name,
        roles=actor.roles,
        memberships=[
            MembershipOut(enterprise_id=eid, enterprise_name=enterprises.get(eid, ""), role=role)
            for eid, role in actor.memberships.items()
        ],
    )


@router.get("/me/earnings", response_model=EarningsOut)
def get_my_earnings(
    platform: PlatformDep,
    actor: LedgerRead,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EarningsOut:
    """Your co-design royalties, newest first: each with the order, circle and model it came
    from and your part in the model; the totals are over the listed postings."""
    with platform.db.read() as session:
        return earnings.as_out(earnings.earnings(session, actor, limit, offset))


@router.get("/tokens", response_model=list[TokenOut], responses=PAGED)
def list_tokens(platform: PlatformDep, actor: Account, page: Paging) -> list[TokenOut]:
    with platform.db.read() as session:
        return page.pick(service.list_tokens(session, actor), TokenOut.model_validate)


@router.post(
    "/tokens",
    status_code=201,
    response_model=TokenCreated,
    responses=problem_responses(403, 409, 413, 422),
)
def create_token(
    body: NewToken,
    actor: Account,
    idempotent: Idempotent,
) -> JSONResponse:
    """A personal token, shown once: with the scopes asked (left out, all you hold; a scoped
    token cannot make a wider one) and, if asked, an expiry."""

    def create(session: Session) -> TokenCreated:
        scopes = scopes_of.parse(body.scopes) if body.scopes is not None else None
        lifetime = timedelta(days=body.expires_in_days) if body.expires_in_days else None
        token, secret = service.create_token(session, actor, body.name, scopes, lifetime)
        return TokenCreated.model_validate(
            {**TokenOut.model_validate(token).model_dump(), "token": secret}
        )

    return idempotent.create(actor, body, create)


@router.delete("/tokens/{token_id}", response_model=TokenOut, responses=problem_responses(403, 404))
def revoke_token(platform: PlatformDep, token_id: str, actor: Account) -> TokenOut:
    with platform.db.write() as session:
        token = service.revoke_token(session, actor, token_id)
        out = TokenOut.model_validate(token)
    platform.tokens.forget(token.token_hash)  # after the commit, or a reader could re-add it
    return out


@router.get("/enterprises", response_model=list[EnterpriseOut], responses=PAGED)
def list_enterprises(platform: PlatformDep, actor: Account, page: Paging) -> list[EnterpriseOut]:
    with platform.db.read() as session:
        return page.pick(service.enterprises_of(session, actor), EnterpriseOut.model_validate)


@router.get(
    "/enterprises/{enterprise_id}", response_model=EnterpriseOut, responses=problem_responses(404)
)
def get_enterprise(platform: PlatformDep, enterprise_id: str, actor: Account) -> EnterpriseOut:
    with platform.db.read() as session:
        return EnterpriseOut.model_validate(service.get_enterprise(session, actor, enterprise_id))
