"""How many orders are in each state, for the operators' dashboards (``c2m_orders``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.domains.orders.models import Order
from c2m.domains.orders.states import OrderState


def orders_by_state(session: Session) -> dict[OrderState, int]:
    """Every state, those without orders at 0, so a dashboard's series never vanish."""
    counts = dict.fromkeys(OrderState, 0)
    for state, count in session.execute(select(Order.state, func.count()).group_by(Order.state)):
        counts[state] = count
    return counts
