"""Production costs from the factory: the machine time of each finished step, charged to the
order's micro-enterprise at the machine's hourly rate (docs/ledger.md).

The step's attempt (``job_attempts``, never changed once ended) says which machine ran it and
from when to when, so the charge is the same however late or often the news is handled; it is
posted once per attempt (key ``cost:attempt:<id>``). A run scrapped at inspection never finishes
its step and is not charged: scrap is the factory's loss.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from c2m.domains.factory.models import JobAttempt, Machine
from c2m.domains.ledger import rules, service
from c2m.domains.orders.models import Order


def charge_step(session: Session, order_id: str, attempt_id: str) -> str | None:
    """Post the machine time of the attempt that finished a step of the order; None when
    there is nothing to charge (a free machine, no time, less than a cent) or it was charged
    already."""
    attempt = session.get(JobAttempt, attempt_id)
    order = session.get(Order, order_id)
    if attempt is None or order is None or attempt.started_at is None or attempt.ended_at is None:
        return None
    machine = session.get(Machine, attempt.machine_id)
    seconds = int((attempt.ended_at - attempt.started_at).total_seconds())
    if machine is None or seconds <= 0 or rules.machine_cost(seconds, machine.hourly_rate) == 0:
        return None
    return service.record_cost(
        session,
        key=f"cost:attempt:{attempt_id}",
        order_id=order_id,
        enterprise=order.enterprise_id,
        machine_seconds=seconds,
        rate_per_hour=machine.hourly_rate,
        material=0,
        currency=order.currency,
    )
