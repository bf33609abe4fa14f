"""When a new order's materials could be in a factory (capable to promise): from free stock on
hand at once, from a purchase on its way when it docks, else when a purchase placed now would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from c2m.domains.materials.models import to_milli
from c2m.domains.materials.reservations import materials_by_key
from c2m.domains.materials.stock import free_of, lots, purchase_due
from c2m.engines.configurator import Requirement


@dataclass(frozen=True, slots=True)
class StepMaterial:
    """Step ``step`` cannot start before ``ready``, waiting for ``material`` (its name)."""

    step: str
    ready: datetime
    material: str


def material_ready(
    session: Session,
    enterprise_id: str,
    factory_id: str,
    requirements: Sequence[Requirement],
    first_step: str,
    now: datetime,
) -> dict[str, StepMaterial]:
    """Per step, the latest moment one of its materials can be there, where that is after
    ``now``; steps whose materials are free on hand (or not stocked) are left out. Reads
    without locking: a promise, not a reservation."""
    stocked = materials_by_key(session, enterprise_id, {r.material for r in requirements})
    wanted: dict[str, int] = {}
    out: dict[str, StepMaterial] = {}
    for requirement in requirements:
        material = stocked.get(requirement.material)
        if material is None:
            continue
        need = wanted.get(material.id, 0) + to_milli(requirement.quantity)
        wanted[material.id] = need  # two lines of one material draw on the same stock
        ready = _ready(session, material.id, factory_id, need) or purchase_due(material, now)
        step = requirement.step or first_step
        if ready > now and (step not in out or out[step].ready < ready):
            out[step] = StepMaterial(step, ready, material.name)
    return out


def _ready(session: Session, material_id: str, factory_id: str, need: int) -> datetime | None:
    """When free stock of the material reaches ``need``; None when even the purchases on
    their way do not bring it."""
    got = 0
    for free in free_of(session, lots(session, material_id, factory_id, lock=False)):
        got += max(free.free, 0)
        if got >= need:
            return free.lot.expected_at if free.lot.arrived_at is None else free.lot.arrived_at
    return None
