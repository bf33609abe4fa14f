"""Accounts, log-in sessions, API tokens and micro-enterprise membership."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from c2m.domains.platform import scopes as scopes_of
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import (
    ApiToken,
    Enterprise,
    MemberRole,
    Membership,
    User,
    WebSession,
)
from c2m.domains.platform.schemas import SignUp
from c2m.domains.platform.scopes import Scopes
from c2m.domains.platform.security import hash_password, token_digest, verify_password
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, NotAuthenticated, NotFound
from c2m.kernel.ids import new_secret
from c2m.kernel.problem_types import ProblemCode

TOKEN_PREFIX = "c2m_"  # noqa: S105 - a visible prefix, not a secret


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    data: SignUp,
    *,
    is_platform_owner: bool = False,
    is_maker: bool = False,
    is_authority: bool = False,
) -> User:
    email = normalise_email(str(data.email))
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(
            "An account with this e-mail address already exists; log in instead.",
            code=ProblemCode.ALREADY_EXISTS,
        )
    user = User(
        email=email,
        name=data.name,
        password_hash=hash_password(data.password),
        is_platform_owner=is_platform_owner,
        is_maker=is_maker,
        is_authority=is_authority,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        raise NotAuthenticated("The e-mail address or the password is not right.")
    return user


@dataclass(frozen=True)
class NewSession:
    cookie_value: str
    csrf_token: str


def start_session(session: Session, user: User, days: int) -> NewSession:
    cookie = new_secret()
    csrf = new_secret()
    session.add(
        WebSession(
            id=token_digest(cookie),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    return NewSession(cookie, csrf)


def end_session(session: Session, cookie_value: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == token_digest(cookie_value)))


def resolve_session(session: Session, cookie_value: str) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live session, or None if the cookie is unknown or old."""
    row = (
        session.execute(
            select(User, WebSession.csrf_token)
            .join(WebSession, WebSession.user_id == User.id)
            .options(joinedload(User.memberships))
            .where(
                WebSession.id == token_digest(cookie_value),
                WebSession.expires_at > utcnow(),
                User.is_active.is_(True),
            )
        )
        .unique()
        .one_or_none()
    )
    return (Actor.of(row[0]), row[1]) if row is not None else None


def create_token(
    session: Session,
    actor: Actor,
    name: str,
    scopes: Scopes | None = None,
    lifetime: timedelta | None = None,
    client_id: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token holding ``scopes`` (None: all the actor holds; never more)."""
    secret = TOKEN_PREFIX + new_secret()
    token = ApiToken(
        user_id=actor.user_id,
        name=name,
        prefix=secret[:10],
        token_hash=token_digest(secret),
        scopes=scopes_of.stored(scopes_of.within(scopes, actor.scopes)),
        client_id=client_id,
        expires_at=utcnow() + lifetime if lifetime else None,
    )
    session.add(token)
    session.flush()
    return token, secret


@dataclass(frozen=True)
class TokenHolder:
    """Who holds a live token, with what and until when; ``used_at`` says when it was last seen
    (kept to within ``TOKEN_USE_PRECISION``, so a busy token is not a write per call)."""

    token_id: str
    actor: Actor
    expires_at: datetime | None
    used_at: datetime | None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def use_unnoted(self, now: datetime) -> bool:
        return self.used_at is None or now - self.used_at >= TOKEN_USE_PRECISION


TOKEN_USE_PRECISION = timedelta(minutes=1)


def resolve_token(session: Session, secret: str) -> TokenHolder | None:
    """The token's holder, in one query (this runs on every API call not cached)."""
    row = (
        session.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .options(joinedload(User.memberships))
            .where(
                ApiToken.token_hash == token_digest(secret),
                ApiToken.revoked_at.is_(None),
                User.is_active.is_(True),
            )
        )
        .unique()
        .one_or_none()
    )
    if row is None:
        return None
    user, token = row
    actor = replace(Actor.of(user), scopes=scopes_of.loaded(token.scopes))
    return TokenHolder(token.id, actor, token.expires_at, token.last_used_at)


def note_token_use(session: Session, token_id: str, now: datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.created_at)
    return list(session.scalars(query))


def revoke_token(session: Session, actor: Actor, token_id: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id:
        raise NotFound("There is no such API token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def create_enterprise(session: Session, name: str, slug: str, owner: User) -> Enterprise:
    if session.scalar(select(Enterprise.id).where(Enterprise.slug == slug)) is not None:
        raise Conflict(
            f"A micro-enterprise with the short name {slug!r} already exists.",
            code=ProblemCode.ALREADY_EXISTS,
        )
    enterprise = Enterprise(name=name, slug=slug)
    session.add(enterprise)
    session.flush()
    add_member(session, enterprise, owner, MemberRole.OWNER)
    return enterprise


def add_member(session: Session, enterprise: Enterprise, user: User, role: MemberRole) -> None:
    session.add(Membership(user_id=user.id, enterprise_id=enterprise.id, role=role))
    session.flush()
    session.expire(user, ["memberships"])


def enterprises_of(session: Session, actor: Actor) -> list[Enterprise]:
    query = select(Enterprise).order_by(Enterprise.name)
    if not actor.is_platform_owner:
        query = query.where(Enterprise.id.in_(list(actor.memberships)))
    return list(session.scalars(query))


def get_enterprise(session: Session, actor: Actor, enterprise_id: str) -> Enterprise:
    actor.require_member_of(enterprise_id)
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("There is no such micro-enterprise, or you are not one of its members.")
    return enterprise
