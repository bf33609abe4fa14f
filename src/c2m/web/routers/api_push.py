"""Web Push: a phone asks for an order's news (its customer's phone only)."""

from __future__ import annotations

from fastapi import APIRouter

from c2m.domains.integrations import push
from c2m.domains.integrations.push import NewPushSubscription, PushSubscriptionOut
from c2m.web.auth import OrdersWrite, PlatformDep
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["orders"], responses=problem_responses(401, 404))


@router.post(
    "/orders/{order_id}/push-subscriptions",
    status_code=201,
    response_model=PushSubscriptionOut,
    responses=problem_responses(403, 422),
)
def create_push_subscription(
    platform: PlatformDep, order_id: str, body: NewPushSubscription, actor: OrdersWrite
) -> PushSubscriptionOut:
    """Send the order's news (its next steps, shipping, delivery) to this browser by Web Push;
    the body is the browser's ``PushSubscription`` as JSON. Asking again is harmless."""
    settings = platform.settings
    with platform.db.write() as session:
        found = push.subscribe(
            session,
            actor,
            order_id,
            body,
            allow_loopback=settings.webhook_allow_loopback or settings.demo,
        )
        return PushSubscriptionOut.model_validate(found)
