"""Service clients: a server (an ERP, a shop front) trades its client id and secret for a
short-lived token, the OAuth 2 client-credentials grant (RFC 6749 §4.4).

A client acts as the person who made it, within the scopes given to it, and never beyond what
that person may do; revoking it revokes every token it got.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from c2m.domains.platform import scopes as scopes_of
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import ApiToken, ServiceClient, User
from c2m.domains.platform.scopes import Scopes
from c2m.domains.platform.security import token_digest
from c2m.domains.platform.service import create_token
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import NotAuthenticated, NotFound
from c2m.kernel.ids import new_secret
from c2m.kernel.problem_types import ProblemCode

CLIENT_ID_PREFIX = "c2mc_"
INVALID_CLIENT = "The client id or secret is wrong, or the client was revoked."


def create_client(
    session: Session, actor: Actor, name: str, scopes: Scopes
) -> tuple[ServiceClient, str]:
    """A new client and its secret (shown once); its scopes are at most the actor's."""
    granted = scopes_of.within(scopes, actor.scopes)
    assert granted is not None
    secret = new_secret()
    client = ServiceClient(
        user_id=actor.user_id,
        name=name,
        client_id=CLIENT_ID_PREFIX + new_secret()[:24],
        secret_hash=token_digest(secret),
        scopes=scopes_of.stored(granted),
    )
    session.add(client)
    session.flush()
    return client, secret


def list_clients(session: Session, actor: Actor) -> list[ServiceClient]:
    query = select(ServiceClient).where(ServiceClient.user_id == actor.user_id)
    return list(session.scalars(query.order_by(ServiceClient.created_at)))


def revoke_client(
    session: Session, actor: Actor, client_id: str
) -> tuple[ServiceClient, list[str]]:
    """Revoke the client and its tokens; returns the tokens' digests, to forget in caches."""
    client = session.get(ServiceClient, client_id)
    if client is None or client.user_id != actor.user_id:
        raise NotFound("There is no such service client.")
    now = utcnow()
    if client.revoked_at is None:
        client.revoked_at = now
    live = (ApiToken.client_id == client.id, ApiToken.revoked_at.is_(None))
    digests = list(session.scalars(select(ApiToken.token_hash).where(*live)))
    session.execute(update(ApiToken).where(*live).values(revoked_at=now))
    return client, digests


@dataclass(frozen=True)
class Issued:
    secret: str
    scopes: Scopes
    lifetime: timedelta


def issue_token(
    session: Session, client_id: str, secret: str, asked: Scopes | None, lifetime: timedelta
) -> Issued:
    """A token for a client that proves its secret, with the scopes asked (None: all of the
    client's)."""
    row = (
        session.execute(
            select(ServiceClient, User)
            .join(User, User.id == ServiceClient.user_id)
            .options(joinedload(User.memberships))
            .where(ServiceClient.client_id == client_id)
        )
        .unique()
        .one_or_none()
    )
    if row is None:
        raise NotAuthenticated(INVALID_CLIENT, code=ProblemCode.INVALID_CLIENT)
    client, user = row
    proven = hmac.compare_digest(client.secret_hash, token_digest(secret))
    if not proven or client.revoked_at is not None or not user.is_active:
        raise NotAuthenticated(INVALID_CLIENT, code=ProblemCode.INVALID_CLIENT)
    actor = replace(Actor.of(user), scopes=scopes_of.loaded(client.scopes))
    token, token_secret = create_token(
        session, actor, f"{client.name} (client credentials)", asked, lifetime, client.id
    )
    client.last_used_at = utcnow()
    granted = scopes_of.loaded(token.scopes)
    assert granted is not None
    return Issued(token_secret, granted, lifetime)
