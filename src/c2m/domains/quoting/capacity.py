"""When the machines able to make a part are free: the input of capacity-aware ship dates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory, Machine
from c2m.domains.quoting.quotes import CAPABILITY
from c2m.engines.costing.leadtime import Capacity


def machine_capacity(session: Session, enterprise_id: str, now: datetime) -> Capacity:
    """Per process, one start time per capable machine of the micro-enterprise's factories."""
    query = (
        select(Machine.capabilities)
        .join(Factory, Factory.id == Machine.factory_id)
        .where(Factory.enterprise_id == enterprise_id)
    )
    capabilities = list(session.scalars(query))
    free_at = {
        process: tuple(now for held in capabilities if capability in held)
        for process, capability in CAPABILITY.items()
    }
    return Capacity({process: starts for process, starts in free_at.items() if starts})
