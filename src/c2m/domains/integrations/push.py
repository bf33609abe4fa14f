"""Web Push: the phones that asked for an order's news, and what each of the order's timeline
events tells them. Sending is the worker's (``workers.push``): encryption and the push
service's HTTP are no business of a web process."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from c2m.domains.integrations.models import PushSubscription
from c2m.domains.integrations.receivers import check_url
from c2m.domains.orders import service as orders
from c2m.domains.orders.models import OrderLine
from c2m.domains.orders.news import headline
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import Forbidden
from c2m.kernel.schemas import Strict

BASE64URL = r"^[A-Za-z0-9_-]+=*$"


class PushKeys(Strict):
    p256dh: str = Field(min_length=80, max_length=200, pattern=BASE64URL)
    auth: str = Field(min_length=16, max_length=100, pattern=BASE64URL)


class NewPushSubscription(Strict):
    """What the browser's ``PushSubscription.toJSON()`` holds, less its expiry."""

    endpoint: str = Field(max_length=1000, description="The push service's URL for this phone.")
    keys: PushKeys


def subscribe(
    session: Session,
    actor: Actor,
    order_id: str,
    data: NewPushSubscription,
    *,
    allow_loopback: bool,
) -> PushSubscription:
    """Send this order's news to the subscribing phone (again, if it asked before)."""
    order = orders.load_order(session, actor, order_id)
    if order.customer_id != actor.user_id:
        raise Forbidden("Only the person who placed this order can get its news on a phone.")
    endpoint = check_url(data.endpoint, allow_loopback=allow_loopback, what="push endpoint")
    found = session.scalar(
        select(PushSubscription).where(
            PushSubscription.order_id == order.id, PushSubscription.endpoint == endpoint
        )
    )
    if found is None:
        found = PushSubscription(order_id=order.id, user_id=actor.user_id, endpoint=endpoint)
        session.add(found)
    found.p256dh, found.auth = data.keys.p256dh, data.keys.auth
    session.flush()
    return found


def forget(session: Session, subscription_id: str) -> None:
    """The push service says this phone is gone (404, 410): stop sending to it."""
    session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))


@dataclass(frozen=True)
class Push:
    """One notification for one phone."""

    subscription_id: str
    order_id: str
    endpoint: str
    p256dh: str
    auth: str
    payload: dict[str, str]  # title, body, url: what the service worker shows


def pushes(session: Session, messages: Iterable[dict[str, Any]]) -> list[Push]:
    """The notifications a relayed batch of timeline messages makes, for every phone that
    asked for their orders' news."""
    news = [(m, line) for m in messages if (line := headline(str(m["type"]), m["data"] or {}))]
    if not news:
        return []
    order_ids = {str(m["order_id"]) for m, _ in news}
    phones: dict[str, list[PushSubscription]] = {}
    for sub in session.scalars(
        select(PushSubscription).where(PushSubscription.order_id.in_(order_ids))
    ):
        phones.setdefault(sub.order_id, []).append(sub)
    if not phones:
        return []
    lines = select(OrderLine.order_id, OrderLine.product_name).where(
        OrderLine.order_id.in_(phones)
    )  # the first line names the order: the last one written into the dict
    products = {
        row.order_id: row.product_name
        for row in session.execute(lines.order_by(OrderLine.position.desc()))
    }
    found = []
    for message, line in news:
        order_id = str(message["order_id"])
        payload = {
            "title": f"Your {products.get(order_id, 'order')}",
            "body": line,
            "url": f"/orders/{order_id}",
        }
        found += [
            Push(sub.id, order_id, sub.endpoint, sub.p256dh, sub.auth, payload)
            for sub in phones.get(order_id, [])
        ]
    return found


class PushSubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    order_id: str
    created_at: datetime
