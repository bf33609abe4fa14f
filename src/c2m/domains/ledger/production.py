"""Production costs from the factory: the machine time of each finished step, charged to the
order's micro-enterprise at the machine's hourly rate; a part made in a maker's workshop is
charged once, when the maker's work on it is done, at the price the maker accepted, owed to
the maker (docs/ledger.md).

The step's attempt (``job_attempts``, never changed once ended) says which machine ran it and
from when to when, so the charge is the same however late or often the news is handled; it is
posted once per attempt (key ``cost:attempt:<id>``). A run scrapped at inspection never finishes
its step and is not charged: scrap is the factory's loss. A work order making pieces for several
orders (a released pre-order batch) charges each order its share, by pieces (key
``cost:attempt:<id>:<order id>``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import JobAttempt, Machine
from c2m.domains.ledger import rules, service
from c2m.domains.makers.models import MakerOffer, MakerProfile, RoutedJob
from c2m.domains.orders.models import Order
from c2m.domains.planning.models import OPEN, Operation, WorkOrder, WorkOrderLine
from c2m.engines.routing import OfferState
from c2m.engines.splits import split


def charge_step(session: Session, order_id: str, attempt_id: str) -> str | None:
    """Post the order's share of the machine time of the attempt that finished a step of its
    work order; None when there is nothing to charge (a free machine, no time, less than a
    cent) or it was charged already. A work order making pieces for several orders (a
    pre-order batch) charges each its share by pieces, the shares adding up to the cost."""
    attempt = session.get(JobAttempt, attempt_id)
    order = session.get(Order, order_id)
    if attempt is None or order is None or attempt.started_at is None or attempt.ended_at is None:
        return None
    machine = session.get(Machine, attempt.machine_id)
    if machine is not None:
        maker = session.scalar(
            select(MakerProfile.id).where(MakerProfile.factory_id == machine.factory_id)
        )
        if maker is not None:
            return _charge_maker_job(session, order, attempt, maker)
    seconds = int((attempt.ended_at - attempt.started_at).total_seconds())
    if machine is None or seconds <= 0:
        return None
    served = _pieces_by_order(session, attempt.operation_id) or {order_id: 1}
    if order_id not in served:
        return None
    shares = split(rules.machine_cost(seconds, machine.hourly_rate), list(served.values()))
    share = shares[list(served).index(order_id)]
    if share == 0:
        return None
    return service.record_cost(
        session,
        key=f"cost:attempt:{attempt_id}" + ("" if len(served) == 1 else f":{order_id}"),
        order_id=order_id,
        enterprise=order.enterprise_id,
        machine=share,
        material=0,
        currency=order.currency,
    )


def _pieces_by_order(session: Session, operation_id: str | None) -> dict[str, int]:
    """How many pieces the operation's work order makes for each order it serves, in the
    order of its lines (none for an attempt that names no operation)."""
    if operation_id is None:
        return {}
    rows = session.execute(
        select(WorkOrderLine.order_id, WorkOrderLine.quantity)
        .join(Operation, Operation.work_order_id == WorkOrderLine.work_order_id)
        .where(Operation.id == operation_id)
        .order_by(WorkOrderLine.position)
    )
    pieces: dict[str, int] = {}
    for order_id, quantity in rows:
        pieces[order_id] = pieces.get(order_id, 0) + quantity
    return pieces


def _charge_maker_job(
    session: Session, order: Order, attempt: JobAttempt, maker_id: str
) -> str | None:
    """The maker's accepted price for the job of the attempt's line, once its work is done."""
    operation = session.get(Operation, attempt.operation_id)
    if operation is None:
        return None
    still_open = session.scalar(
        select(Operation.id)
        .where(Operation.work_order_id == operation.work_order_id, Operation.status.in_(OPEN))
        .limit(1)
    )
    accepted = session.execute(
        select(RoutedJob.id, RoutedJob.title, MakerOffer.price)
        .join(WorkOrder, WorkOrder.line_id == RoutedJob.line_id)
        .join(MakerOffer, MakerOffer.job_id == RoutedJob.id)
        .where(
            WorkOrder.id == operation.work_order_id,
            MakerOffer.maker_id == maker_id,
            MakerOffer.state == OfferState.ACCEPTED.value,
        )
    ).first()
    if still_open is not None or accepted is None:
        return None
    job_id, title, price = accepted
    return service.record_maker_job(
        session,
        key=f"maker-job:{job_id}",
        order_id=order.id,
        enterprise=order.enterprise_id,
        maker=maker_id,
        price=price,
        currency=order.currency,
        description=title,
    )
