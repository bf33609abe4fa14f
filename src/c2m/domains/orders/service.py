"""Order use cases: place, pay, confirm by callback, cancel, refund, advance, hold, share.

Every accepted command changes the order row once (its version rises by one) and appends its
timeline events and outbox messages in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from c2m.domains.orders.events import order_topic, timeline_message
from c2m.domains.orders.models import Order, OrderEvent, Payment, PaymentCallback, PaymentStatus
from c2m.domains.orders.payments import Callback, CallbackKind, ChargeOutcome, PaymentProvider
from c2m.domains.orders.placement import insert_prepared, prepare_order
from c2m.domains.orders.schemas import Advance, Cancel, EventOut, NewOrder, Pay
from c2m.domains.orders.states import (
    CANCELLABLE,
    LABELS,
    PRODUCTION,
    REFUNDABLE,
    OrderState,
    can_advance,
    progress,
)
from c2m.domains.platform.actor import Actor
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, Forbidden, NotFound
from c2m.kernel.ids import new_secret
from c2m.kernel.outbox import add_to_outbox
from c2m.kernel.signing import Signer

S = OrderState
SYSTEM = "system"


def _label(actor: Actor | None) -> str:
    return actor.name if actor is not None else SYSTEM


def record(
    session: Session,
    order: Order,
    event_type: str,
    *,
    actor: str,
    state: OrderState | None = None,
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    """Append one timeline event (and its outbox message), moving the order to ``state``."""
    if state is not None:
        order.state = state
        step = progress(state)
        if step is not None:
            order.progress = max(order.progress, step)
    order.last_seq += 1
    event = OrderEvent(
        order_id=order.id,
        seq=order.last_seq,
        type=event_type,
        state=order.state,
        progress=order.progress,
        at=utcnow(),
        actor=actor,
        data=data or {},
    )
    session.add(event)
    payload = EventOut.model_validate(event).model_dump(mode="json")
    add_to_outbox(
        session,
        order_topic(order.id),
        timeline_message(order.id, order.customer_id, order.enterprise_id, payload),
    )
    return event


def _save(session: Session) -> None:
    """Flush, turning a lost optimistic-concurrency race into a 409 a client can retry."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "The order was changed by someone else at the same moment; reload it and try again."
        ) from exc


def _can_read(actor: Actor, order: Order) -> bool:
    return order.customer_id == actor.user_id or actor.is_member_of(order.enterprise_id)


def load_order(session: Session, actor: Actor, order_id: str, *, for_update: bool = False) -> Order:
    """The order if ``actor`` may see it; a stranger gets the same 404 as for a missing order."""
    order = session.get(Order, order_id, with_for_update=for_update or None)
    if order is None or not _can_read(actor, order):
        raise NotFound("There is no such order, or it is not yours.")
    return order


def _check_version(order: Order, expected: int | None) -> None:
    if expected is not None and expected != order.version:
        raise Conflict(
            f"The order is at version {order.version}, not {expected}: "
            "it changed since you last looked; reload it and try again."
        )


def _illegal(order: Order, action: str) -> Conflict:
    return Conflict(f"An order that is {LABELS[order.state].lower()} cannot be {action}.")


def place_order(session: Session, actor: Actor, data: NewOrder) -> Order:
    """Place an order in one go (the API splits the same steps around its transactions)."""
    prepared = prepare_order(session, actor, data)
    insert_prepared(session, prepared)
    order = session.get(Order, prepared.order_id)
    assert order is not None
    return order


def pay(
    session: Session, actor: Actor, order_id: str, data: Pay, provider: PaymentProvider
) -> Order:
    order = load_order(session, actor, order_id, for_update=True)
    if order.customer_id != actor.user_id:
        raise Forbidden("Only the customer who placed the order pays for it.")
    _check_version(order, data.expected_version)
    if order.state is not S.PLACED:
        raise _illegal(order, "paid")
    pending = session.scalar(
        select(Payment.id).where(
            Payment.order_id == order.id, Payment.status == PaymentStatus.PENDING
        )
    )
    if pending is not None:
        raise Conflict("A payment for this order is already waiting for the bank's confirmation.")
    result = provider.charge(
        amount=order.total - order.captured,
        currency=order.currency,
        method=data.payment_method,
        reference=order.id,
    )
    status = {
        ChargeOutcome.SUCCEEDED: PaymentStatus.SUCCEEDED,
        ChargeOutcome.DECLINED: PaymentStatus.DECLINED,
        ChargeOutcome.PENDING: PaymentStatus.PENDING,
    }[result.outcome]
    payment = Payment(
        order_id=order.id,
        provider=provider.name,
        provider_ref=result.provider_ref,
        amount=order.total - order.captured,
        currency=order.currency,
        status=status,
    )
    session.add(payment)
    details = {"amount": payment.amount, "currency": payment.currency, "message": result.message}
    if status is PaymentStatus.SUCCEEDED:
        _capture(session, order, payment, _label(actor))
    elif status is PaymentStatus.DECLINED:
        record(session, order, "payment_declined", actor=_label(actor), data=details)
    else:
        record(session, order, "payment_pending", actor=_label(actor), data=details)
    _save(session)
    return order


def _capture(session: Session, order: Order, payment: Payment, actor: str) -> None:
    payment.status = PaymentStatus.SUCCEEDED
    order.captured += payment.amount
    record(
        session,
        order,
        "paid",
        actor=actor,
        state=S.PAID,
        data={"amount": payment.amount, "currency": payment.currency},
    )


def apply_callback(session: Session, callback: Callback, provider: PaymentProvider) -> bool:
    """Apply a provider notification once; repeats and stale ones change nothing.

    Returns whether the callback changed anything. A success that arrives after the customer
    cancelled is captured and given straight back, so no money is kept for nothing.
    """
    if session.get(PaymentCallback, callback.provider_event_id) is not None:
        return False
    payment = session.scalar(
        select(Payment).where(Payment.provider_ref == callback.provider_ref).with_for_update()
    )
    if payment is None:
        raise NotFound("The payment this notification is about is unknown.")
    session.add(
        PaymentCallback(provider_event_id=callback.provider_event_id, payment_id=payment.id)
    )
    if payment.status is not PaymentStatus.PENDING or callback.seq <= payment.last_callback_seq:
        session.flush()
        return False
    payment.last_callback_seq = callback.seq
    if callback.kind is CallbackKind.PROCESSING:
        session.flush()
        return False
    order = session.get(Order, payment.order_id, with_for_update=True)
    assert order is not None
    if callback.kind is CallbackKind.FAILED:
        payment.status = PaymentStatus.DECLINED
        record(
            session,
            order,
            "payment_declined",
            actor=provider.label,
            data={"amount": payment.amount, "currency": payment.currency},
        )
    elif order.state is S.PLACED:
        _capture(session, order, payment, provider.label)
    else:
        payment.status = PaymentStatus.SUCCEEDED
        order.captured += payment.amount
        _refund(session, order, provider, provider.label, reason="the order was cancelled")
    _save(session)
    return True


def _refund(
    session: Session, order: Order, provider: PaymentProvider, actor: str, *, reason: str
) -> None:
    amount = order.captured - order.refunded
    query = select(Payment).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.SUCCEEDED
    )
    with session.no_autoflush:  # one UPDATE per command keeps the version step at one
        payments = list(session.scalars(query))
    for payment in payments:
        provider.refund(provider_ref=payment.provider_ref, amount=payment.amount)
    order.refunded += amount
    record(
        session,
        order,
        "refunded",
        actor=actor,
        state=S.REFUNDED,
        data={"amount": amount, "currency": order.currency, "reason": reason},
    )


def cancel(
    session: Session, actor: Actor, order_id: str, data: Cancel, provider: PaymentProvider
) -> Order:
    order = load_order(session, actor, order_id, for_update=True)
    _check_version(order, data.expected_version)
    if order.state not in CANCELLABLE:
        raise _illegal(order, "cancelled any more (production has started)")
    record(
        session,
        order,
        "cancelled",
        actor=_label(actor),
        state=S.CANCELLED,
        data={"reason": data.reason},
    )
    if order.captured > order.refunded:
        _refund(session, order, provider, _label(actor), reason="the order was cancelled")
    _save(session)
    return order


def refund(
    session: Session, actor: Actor, order_id: str, data: Cancel, provider: PaymentProvider
) -> Order:
    order = load_order(session, actor, order_id, for_update=True)
    actor.require_owner_of(order.enterprise_id)
    _check_version(order, data.expected_version)
    if order.state not in REFUNDABLE or order.captured <= order.refunded:
        raise _illegal(order, "refunded (nothing was paid or it was already given back)")
    _refund(session, order, provider, _label(actor), reason=data.reason or "refund")
    _save(session)
    return order


def advance(session: Session, actor: Actor | None, order_id: str, data: Advance) -> Order:
    """Move an order along the production line, put it on hold, or resume it.

    ``actor`` None is the factory itself (the lights-out path); a person must be a member of the
    micro-enterprise that makes the order.
    """
    if actor is None:
        order = session.get(Order, order_id, with_for_update=True)
        if order is None:
            raise NotFound("There is no such order.")
    else:
        order = load_order(session, actor, order_id, for_update=True)
        if not actor.is_member_of(order.enterprise_id):
            raise Forbidden("Only the micro-enterprise making this order can move it along.")
    _check_version(order, data.expected_version)
    current, target = order.state, data.to
    note = {"note": data.note} if data.note else {}
    if target is S.ON_HOLD and current in PRODUCTION:
        order.held_from = current
        record(session, order, "on_hold", actor=_label(actor), state=S.ON_HOLD, data=note)
    elif current is S.ON_HOLD and target in PRODUCTION and target is order.held_from:
        order.held_from = None
        record(session, order, "resumed", actor=_label(actor), state=target, data=note)
    elif target is not S.PAID and can_advance(current, target):
        record(session, order, target.value, actor=_label(actor), state=target, data=note)
    else:
        raise Conflict(
            f"An order that is {LABELS[current].lower()} cannot move to {LABELS[target].lower()}."
        )
    _save(session)
    return order


def release(session: Session, order: Order, *, actor: str, data: dict[str, Any]) -> None:
    """A pre-order's batch filled: from now on the factory may make the order."""
    order.awaits_release = False
    record(session, order, "batch_released", actor=actor, data=data)


def list_orders(session: Session, actor: Actor, *, limit: int, offset: int) -> list[Order]:
    """The actor's own orders, newest first."""
    query = (
        select(Order)
        .where(Order.customer_id == actor.user_id)
        .order_by(Order.created_at.desc(), Order.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def list_enterprise_orders(
    session: Session, actor: Actor, enterprise_id: str, *, limit: int, offset: int
) -> list[Order]:
    actor.require_member_of(enterprise_id)
    query = (
        select(Order)
        .where(Order.enterprise_id == enterprise_id)
        .order_by(Order.created_at.desc(), Order.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def events_after(session: Session, order_id: str, after: int, limit: int = 500) -> list[OrderEvent]:
    query = (
        select(OrderEvent)
        .where(OrderEvent.order_id == order_id, OrderEvent.seq > after)
        .order_by(OrderEvent.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def share(session: Session, actor: Actor, order_id: str, signer: Signer) -> str:
    """A token for a read-only view of the order's timeline, valid until revoked."""
    order = load_order(session, actor, order_id, for_update=True)
    if order.customer_id != actor.user_id:
        raise Forbidden("Only the customer can share their order.")
    if order.share_key is None:
        order.share_key = new_secret(16)
        _save(session)
    return share_token_of(order, signer)


def share_token_of(order: Order, signer: Signer) -> str:
    """The token of an order that has been shared (it has a share key)."""
    return signer.sign({"o": order.id, "k": order.share_key})


def revoke_share(session: Session, actor: Actor, order_id: str) -> None:
    order = load_order(session, actor, order_id, for_update=True)
    if order.customer_id != actor.user_id:
        raise Forbidden("Only the customer can revoke links to their order.")
    order.share_key = None
    _save(session)


def order_for_share(session: Session, token: str, signer: Signer) -> Order:
    payload = signer.unsign(token)
    order = session.get(Order, payload.get("o")) if payload else None
    if order is None or payload is None or order.share_key != payload.get("k"):
        raise NotFound("This link is not valid any more; ask the owner for a new one.")
    return order
