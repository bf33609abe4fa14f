"""Order use cases: place, pay, confirm by callback, cancel, refund, advance, hold, share.

Every accepted command changes the order row once (its version rises by one) and appends its
timeline events and outbox messages in the same transaction. This module is the only code that
moves an order: every change of state goes through :func:`_move`, which checks it against the
table in ``states``; the factory's lights-out loop uses :func:`hold`, :func:`resume`,
:func:`advance_by_factory`, :func:`remake` and :func:`note`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from c2m.domains.orders import events
from c2m.domains.orders.events import MOVES, Event, MoneyType, order_topic, timeline_message
from c2m.domains.orders.models import Order, OrderEvent, Payment, PaymentCallback, PaymentStatus
from c2m.domains.orders.payments import Callback, CallbackKind, ChargeOutcome, PaymentProvider
from c2m.domains.orders.schemas import Advance, Cancel, EventOut, Pay
from c2m.domains.orders.states import (
    CANCELLABLE,
    LABELS,
    MAIN_LINE,
    PRODUCTION,
    REFUNDABLE,
    OrderState,
    can_advance,
    legal_moves,
    next_moves,
    progress,
)
from c2m.domains.platform.actor import Actor
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, Forbidden, NotFound
from c2m.kernel.ids import new_secret
from c2m.kernel.keyset import Window, select_page
from c2m.kernel.outbox import add_to_outbox
from c2m.kernel.problem_types import ProblemCode
from c2m.kernel.signing import Signer

S = OrderState
E = events.OrderEventType
SYSTEM = "system"


def _label(actor: Actor | None) -> str:
    return actor.name if actor is not None else SYSTEM


def _append(session: Session, order: Order, event: Event, actor: str) -> None:
    """Append one timeline event (and its outbox message) showing the order as it now is."""
    order.last_seq += 1
    row = OrderEvent(
        order_id=order.id,
        seq=order.last_seq,
        type=event.type.value,
        state=order.state,
        progress=order.progress,
        at=utcnow(),
        actor=actor,
        data=event.data,
    )
    session.add(row)
    payload = EventOut.model_validate(row).model_dump(mode="json")
    add_to_outbox(
        session,
        order_topic(order.id),
        timeline_message(order.id, order.customer_id, order.enterprise_id, payload),
    )


def _cannot_move(current: OrderState, target: OrderState) -> Conflict:
    return Conflict(
        f"An order that is {LABELS[current].lower()} cannot move to {LABELS[target].lower()}.",
        code=ProblemCode.STATE_DOES_NOT_ALLOW,
    )


def _move(session: Session, order: Order, to: OrderState, event: Event, *, actor: str) -> None:
    """The one place an order changes state: refused with a Conflict unless ``states`` allows
    the move; progress never goes back, and a hold remembers where to resume."""
    if to not in legal_moves(order.state, order.held_from):
        raise _cannot_move(order.state, to)
    if to is S.ON_HOLD:
        order.held_from = order.state
    elif order.state is S.ON_HOLD and to is order.held_from:
        order.held_from = None
    order.state = to
    step = progress(to)
    if step is not None:
        order.progress = max(order.progress, step)
    _append(session, order, event, actor)


def note(session: Session, order: Order, event: Event, *, actor: str) -> None:
    """Put something on the timeline that does not move the order (a step started, a machine
    went down); an event that means a move must come from the command that makes it."""
    if event.type in MOVES:
        raise ValueError(f"a {event.type} event moves the order; use the command that does")
    _append(session, order, event, actor)


def hold(session: Session, order: Order, *, actor: str, data: dict[str, Any]) -> None:
    """Put an order in production on hold (a machine went down); it resumes where it was."""
    _move(session, order, S.ON_HOLD, events.held(data), actor=actor)


def resume(session: Session, order: Order, *, actor: str, data: dict[str, Any]) -> None:
    """Take an order off hold, back to the state it was held in."""
    if order.state is not S.ON_HOLD or order.held_from is None:
        raise _illegal(order, "resumed (it is not on hold)")
    _move(session, order, order.held_from, events.resumed(data), actor=actor)


#: Where the factory moves an order by itself: from paid to delivered.
FACTORY_LINE = MAIN_LINE[MAIN_LINE.index(S.PAID) :]


def advance_by_factory(
    session: Session,
    order: Order,
    to: OrderState,
    *,
    actor: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Move along the main line up to ``to``, one recorded state at a time; never back, and
    nothing for an order off the line (on hold, cancelled) or not yet paid: payment and designing
    are the customer's steps, never the factory's."""
    while order.state in FACTORY_LINE and (progress(order.state) or 0) < (progress(to) or 0):
        here = FACTORY_LINE.index(order.state)
        following = next(
            state
            for state in FACTORY_LINE[here + 1 :]
            if can_advance(order.state, state) and state is not S.DESIGNING
        )
        _move(session, order, following, events.reached(following, data), actor=actor)


#: The span of progress the factory's steps move through: from production's start to shipping.
STEPS_SPAN = (progress(S.IN_PRODUCTION) or 0, progress(S.SHIPPED) or 0)


def production_progress(order: Order, done: float) -> None:
    """Move the progress on as the factory's steps finish (``done``: the share of the order's
    machine time finished), so it does not sit still through production; never backwards, and
    only for an order in production (a held one keeps what it showed)."""
    if order.state in PRODUCTION:
        low, high = STEPS_SPAN
        order.progress = max(order.progress, low + round((high - low) * min(done, 1.0)))


def remake(session: Session, order: Order, *, actor: str, data: dict[str, Any]) -> None:
    """A part failed inspection: an order in quality check (or only planned) goes back into
    production; in any other state the remake is only noted."""
    event = events.step(E.REMAKE, data)
    if can_advance(order.state, S.IN_PRODUCTION):
        _move(session, order, S.IN_PRODUCTION, event, actor=actor)
    else:
        note(session, order, event, actor=actor)


def _save(session: Session) -> None:
    """Flush, turning a lost optimistic-concurrency race into a 409 a client can retry."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "The order was changed by someone else at the same moment; reload it and try again.",
            code=ProblemCode.ORDER_CHANGED,
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
            "it changed since you last looked; reload it and try again.",
            code=ProblemCode.ORDER_CHANGED,
        )


def _illegal(order: Order, action: str) -> Conflict:
    return Conflict(
        f"An order that is {LABELS[order.state].lower()} cannot be {action}.",
        code=ProblemCode.STATE_DOES_NOT_ALLOW,
    )


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
        raise Conflict(
            "A payment for this order is already waiting for the bank's confirmation.",
            code=ProblemCode.PAYMENT_PENDING,
        )
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
    if status is PaymentStatus.SUCCEEDED:
        _capture(session, order, payment, _label(actor))
    else:
        kind: MoneyType = (
            E.PAYMENT_DECLINED if status is PaymentStatus.DECLINED else E.PAYMENT_PENDING
        )
        news = events.money(kind, payment.amount, payment.currency, message=result.message)
        note(session, order, news, actor=_label(actor))
    _save(session)
    return order


def _capture(session: Session, order: Order, payment: Payment, actor: str) -> None:
    payment.status = PaymentStatus.SUCCEEDED
    order.captured += payment.amount
    paid = events.money(E.PAID, payment.amount, payment.currency)
    _move(session, order, S.PAID, paid, actor=actor)


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
        declined = events.money(E.PAYMENT_DECLINED, payment.amount, payment.currency)
        note(session, order, declined, actor=provider.label)
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
    refunded = events.money(E.REFUNDED, amount, order.currency, reason=reason)
    _move(session, order, S.REFUNDED, refunded, actor=actor)


def cancel(
    session: Session, actor: Actor, order_id: str, data: Cancel, provider: PaymentProvider
) -> Order:
    order = load_order(session, actor, order_id, for_update=True)
    _check_version(order, data.expected_version)
    if order.state not in CANCELLABLE:
        raise _illegal(order, "cancelled any more (production has started)")
    _move(session, order, S.CANCELLED, events.cancelled(data.reason), actor=_label(actor))
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
    if target not in next_moves(current, order.held_from):
        raise _cannot_move(current, target)
    said = {"note": data.note} if data.note else {}
    if target is S.ON_HOLD:
        event = events.held(said)
    elif current is S.ON_HOLD:
        event = events.resumed(said)
    else:
        event = events.reached(target, said)
    _move(session, order, target, event, actor=_label(actor))
    _save(session)
    return order


def release(
    session: Session, order: Order, *, actor: str, batch_id: str, circle: str, threshold: int
) -> None:
    """A pre-order's batch filled: from now on the factory may make the order."""
    order.awaits_release = False
    released = events.batch(E.BATCH_RELEASED, batch_id, circle, threshold)
    note(session, order, released, actor=actor)


def _customer_orders(actor: Actor) -> Select[Order]:
    return select(Order).where(Order.customer_id == actor.user_id)


def _enterprise_orders(actor: Actor, enterprise_id: str) -> Select[Order]:
    actor.require_member_of(enterprise_id)
    return select(Order).where(Order.enterprise_id == enterprise_id)


def list_orders(session: Session, actor: Actor, *, limit: int, offset: int) -> list[Order]:
    """The actor's own orders, newest first."""
    query = _customer_orders(actor).order_by(Order.created_at.desc(), Order.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def list_enterprise_orders(
    session: Session, actor: Actor, enterprise_id: str, *, limit: int, offset: int
) -> list[Order]:
    query = _enterprise_orders(actor, enterprise_id).order_by(Order.created_at.desc(), Order.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def _page(
    session: Session, query: Select[Order], window: Window, state: OrderState | None
) -> list[Order]:
    if state is not None:
        query = query.where(Order.state == state)
    page = select_page(query, window, Order.created_at, Order.id, Order.updated_at)
    return list(session.scalars(page))


def page_orders(
    session: Session, actor: Actor, window: Window, state: OrderState | None = None
) -> list[Order]:
    """A page of the actor's own orders for a client that follows them, oldest first."""
    return _page(session, _customer_orders(actor), window, state)


def page_enterprise_orders(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    window: Window,
    state: OrderState | None = None,
) -> list[Order]:
    """A page of the micro-enterprise's orders (members), oldest first."""
    return _page(session, _enterprise_orders(actor, enterprise_id), window, state)


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
