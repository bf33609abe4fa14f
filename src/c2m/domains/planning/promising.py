"""Capable to promise: the calendar days a configured product's routing needs if it joined the
live plan now, in the factory that would make it (see ``availability``): each step after those
it waits for and after its materials can be there, on the capable machine that would finish it
first, after the work planned there, in its shifts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from c2m.domains.catalog.templates import PlanDays, Promiser, PromiseSource
from c2m.domains.materials.availability import StepMaterial, material_ready
from c2m.domains.planning.availability import available_machines
from c2m.domains.planning.work_orders import first_factory
from c2m.engines.configurator import Requirement, Routing
from c2m.engines.costing.leadtime import RoutingStep, routing_ready
from c2m.kernel.clock import utcnow


def plan_days(
    session: Session,
    enterprise_id: str,
    routing: Routing,
    bill: tuple[Requirement, ...],
    now: datetime,
    time_scale: float,
) -> PlanDays | None:
    """Days until ``routing`` would be done, on the machines alone and with the materials of
    ``bill``; None when the micro-enterprise has no factory or no connected machine for a
    step (the rules then say)."""
    factory_id = first_factory(session, enterprise_id)
    if factory_id is None or not routing.operations:
        return None
    machines = [
        (m.capabilities, m.time) for m in available_machines(session, now, factory_id=factory_id)
    ]
    first = routing.operations[0].id
    waits = material_ready(session, enterprise_id, factory_id, bill, first, now)
    position = {op.id: i for i, op in enumerate(routing.operations)}
    steps = [
        RoutingStep(
            op.capability,
            op.minutes / 60 / time_scale,
            tuple(position[p] for p in op.predecessors if p in position),
        )
        for op in routing.operations
    ]
    alone = routing_ready(machines, steps, now)
    if alone is None:
        return None
    waited = [
        RoutingStep(step.capability, step.hours, step.after, _when(waits, op.id))
        for step, op in zip(steps, routing.operations, strict=True)
    ]
    ready = routing_ready(machines, waited, now) or alone
    late = max(waits.values(), key=lambda w: w.ready, default=None)
    return PlanDays(_days(ready - now), _days(alone - now), late.material if late else None)


def _when(waits: dict[str, StepMaterial], step: str) -> datetime | None:
    wait = waits.get(step)
    return None if wait is None else wait.ready


def _days(span: timedelta) -> int:
    return math.ceil(span / timedelta(days=1))


def promise_source(time_scale: float) -> PromiseSource:
    """The configurator's and checkout's view of the plan, for ``templates.priced``."""

    def of(session: Session, enterprise_id: str) -> Promiser:
        now = utcnow()
        return lambda routing, bill: plan_days(
            session, enterprise_id, routing, bill, now, time_scale
        )

    return of
