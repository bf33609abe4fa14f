"""Subscriptions: an owner of a micro-enterprise creates, lists, rotates, enables and deletes
its webhooks. Strangers are told nothing exists (404); members who are not owners are refused."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.integrations.models import WebhookSubscription
from c2m.domains.integrations.receivers import check_url
from c2m.domains.integrations.schemas import NewSubscription
from c2m.domains.integrations.signing_secrets import new_salt, signing_secret
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import MemberRole
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Forbidden, InvalidInput, NotFound

NOT_FOUND = "There is no such webhook, or it is not one of yours."


@dataclass(frozen=True)
class Keys:
    """What managing subscriptions needs from the settings."""

    secret_key: str
    allow_loopback: bool


def _enterprise_of(actor: Actor, asked: str | None) -> str:
    if asked is not None:
        actor.require_member_of(asked)
        actor.require_owner_of(asked)
        return asked
    owned = [e for e, role in actor.memberships.items() if role is MemberRole.OWNER]
    if not owned:
        raise Forbidden("Only an owner of a micro-enterprise may subscribe webhooks to its orders.")
    if len(owned) > 1:
        raise InvalidInput(
            "Say which micro-enterprise's orders to follow (enterprise_id): you own more than one."
        )
    return owned[0]


def secret_of(subscription: WebhookSubscription, secret_key: str) -> str:
    return signing_secret(secret_key, subscription.id, subscription.secret_salt)


def create(
    session: Session, actor: Actor, data: NewSubscription, keys: Keys
) -> tuple[WebhookSubscription, str]:
    """A new active subscription and its signing secret (shown to the caller once)."""
    enterprise_id = _enterprise_of(actor, data.enterprise_id)
    subscription = WebhookSubscription(
        enterprise_id=enterprise_id,
        url=check_url(data.url, allow_loopback=keys.allow_loopback),
        events=sorted(set(data.events)),
        secret_salt=new_salt(),
        active=True,
        created_by=actor.user_id,
    )
    session.add(subscription)
    session.flush()
    return subscription, secret_of(subscription, keys.secret_key)


def load(
    session: Session, actor: Actor, subscription_id: str, *, for_update: bool = False
) -> WebhookSubscription:
    """The subscription, if the caller owns its enterprise."""
    subscription = session.get(WebhookSubscription, subscription_id, with_for_update=for_update)
    if subscription is None or not actor.is_member_of(subscription.enterprise_id):
        raise NotFound(NOT_FOUND)
    actor.require_owner_of(subscription.enterprise_id)
    return subscription


def list_for(session: Session, actor: Actor) -> list[WebhookSubscription]:
    """The subscriptions of every enterprise the caller owns (all of them: platform owner)."""
    query = select(WebhookSubscription).order_by(WebhookSubscription.created_at)
    if not actor.is_platform_owner:
        owned = [e for e, role in actor.memberships.items() if role is MemberRole.OWNER]
        query = query.where(WebhookSubscription.enterprise_id.in_(owned))
    return list(session.scalars(query))


def rotate(
    session: Session, actor: Actor, subscription_id: str, keys: Keys
) -> tuple[WebhookSubscription, str]:
    """A new secret: deliveries from now on are signed with it, the old one stops working."""
    subscription = load(session, actor, subscription_id, for_update=True)
    subscription.secret_salt = new_salt()
    session.flush()
    return subscription, secret_of(subscription, keys.secret_key)


def enable(session: Session, actor: Actor, subscription_id: str) -> WebhookSubscription:
    """Deliver again after an automatic disable; what waited is delivered from now on."""
    subscription = load(session, actor, subscription_id, for_update=True)
    if not subscription.active:  # what happened while it was disabled is not sent
        subscription.active, subscription.active_since = True, utcnow()
    subscription.disabled_at = subscription.disabled_reason = subscription.failing_since = None
    session.flush()
    return subscription


def delete(session: Session, actor: Actor, subscription_id: str) -> None:
    """Remove a subscription, its waiting deliveries and their log."""
    session.delete(load(session, actor, subscription_id))
    session.flush()
