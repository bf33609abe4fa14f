"""Webhooks: an owner of a micro-enterprise subscribes a receiver to its orders' events, reads
the delivery log and replays a delivery. Strangers are told nothing exists (404)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from c2m.bootstrap import Platform
from c2m.domains.integrations import delivery_log, subscriptions
from c2m.domains.integrations.catalogue import EVENT_TYPES, meaning
from c2m.domains.integrations.models import DeliveryStatus, WebhookSubscription
from c2m.domains.integrations.schemas import (
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    NewSubscription,
    SubscriptionCreated,
    SubscriptionOut,
)
from c2m.domains.integrations.subscriptions import Keys
from c2m.kernel.clock import utcnow
from c2m.web.auth import PlatformDep, Webhooks
from c2m.web.idempotent import Idempotent
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["webhooks"], responses=problem_responses(401))

FOUND = problem_responses(403, 404)


@router.get("/webhook-event-types", response_model=dict[str, str])
def list_webhook_event_types(_actor: Webhooks) -> dict[str, str]:
    """The catalogue: every event type a webhook may ask for, and what it means (for anyone
    signed in; the OpenAPI document's webhooks section says the same)."""
    return {event_type: meaning(event_type) for event_type in EVENT_TYPES}


def keys_of(platform: Platform) -> Keys:
    settings = platform.settings
    return Keys(settings.secret_key, settings.webhook_allow_loopback or settings.demo)


def created(subscription: WebhookSubscription, secret: str) -> SubscriptionCreated:
    out = SubscriptionOut.model_validate(subscription)
    return SubscriptionCreated(**out.model_dump(), secret=secret)


@router.post(
    "/webhooks",
    status_code=201,
    response_model=SubscriptionCreated,
    responses=problem_responses(403, 404, 409, 422),
)
def create_webhook(
    platform: PlatformDep, body: NewSubscription, actor: Webhooks, idempotent: Idempotent
) -> JSONResponse:
    """Subscribe a receiver; the answer holds its signing secret, shown this once."""
    return idempotent.create(
        actor,
        body,
        lambda s: created(*subscriptions.create(s, actor, body, keys_of(platform))),
    )


@router.get("/webhooks", response_model=list[SubscriptionOut], responses=PAGED)
def list_webhooks(platform: PlatformDep, actor: Webhooks, page: Paging) -> list[SubscriptionOut]:
    with platform.db.read() as session:
        found = subscriptions.list_for(session, actor)
        return page.pick(found, SubscriptionOut.model_validate)


@router.get("/webhooks/{subscription_id}", response_model=SubscriptionOut, responses=FOUND)
def get_webhook(platform: PlatformDep, subscription_id: str, actor: Webhooks) -> SubscriptionOut:
    with platform.db.read() as session:
        return SubscriptionOut.model_validate(subscriptions.load(session, actor, subscription_id))


@router.delete("/webhooks/{subscription_id}", status_code=204, responses=FOUND)
def delete_webhook(platform: PlatformDep, subscription_id: str, actor: Webhooks) -> Response:
    with platform.db.write() as session:
        subscriptions.delete(session, actor, subscription_id)
    return Response(status_code=204)


@router.post(
    "/webhooks/{subscription_id}/rotate-secret", response_model=SubscriptionCreated, responses=FOUND
)
def rotate_webhook_secret(
    platform: PlatformDep, subscription_id: str, actor: Webhooks
) -> SubscriptionCreated:
    """A new signing secret, shown this once; the old one stops signing at once."""
    with platform.db.write() as session:
        return created(*subscriptions.rotate(session, actor, subscription_id, keys_of(platform)))


@router.post("/webhooks/{subscription_id}/enable", response_model=SubscriptionOut, responses=FOUND)
def enable_webhook(platform: PlatformDep, subscription_id: str, actor: Webhooks) -> SubscriptionOut:
    """Deliver again after the webhook was disabled for failing."""
    with platform.db.write() as session:
        return SubscriptionOut.model_validate(subscriptions.enable(session, actor, subscription_id))


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response_model=list[DeliveryOut],
    responses={**FOUND, **problem_responses(422), **PAGED},
)
def list_webhook_deliveries(
    platform: PlatformDep,
    subscription_id: str,
    actor: Webhooks,
    page: Paging,
    status: DeliveryStatus | None = None,
) -> list[DeliveryOut]:
    """The webhook's deliveries, oldest first."""
    with platform.db.read() as session:
        found = delivery_log.list_deliveries(
            session, actor, subscription_id, status=status, window=page.window
        )
        return page.answer(found, DeliveryOut.model_validate)


@router.get(
    "/webhooks/{subscription_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    responses=FOUND,
)
def get_webhook_delivery(
    platform: PlatformDep, subscription_id: str, delivery_id: str, actor: Webhooks
) -> DeliveryDetail:
    """One delivery, what it carries and every attempt: status code, time taken, error."""
    with platform.db.read() as session:
        delivery = delivery_log.load_delivery(session, actor, subscription_id, delivery_id)
        log = [AttemptOut.model_validate(a) for a in delivery_log.attempts_of(session, delivery.id)]
        out = DeliveryOut.model_validate(delivery)
        return DeliveryDetail(**out.model_dump(), log=log, payload=delivery.payload)


@router.post(
    "/webhooks/{subscription_id}/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=DeliveryOut,
    responses={**FOUND, **problem_responses(409)},
)
def replay_webhook_delivery(
    platform: PlatformDep, subscription_id: str, delivery_id: str, actor: Webhooks
) -> DeliveryOut:
    """Send the delivery again now, with a fresh retry schedule."""
    with platform.db.write() as session:
        delivery = delivery_log.replay(session, actor, subscription_id, delivery_id, utcnow())
        out = DeliveryOut.model_validate(delivery)
    platform.webhooks.wake()
    return out
