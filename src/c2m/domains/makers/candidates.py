"""The makers as routing sees them: a plain, frozen snapshot of each maker and their machines,
read in a few queries, so the routing engine (pure, on dataclasses) never touches a table.

Suspended makers are in the snapshot, marked, so a router can say why it passed them over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory, Machine
from c2m.domains.makers import probation, service
from c2m.domains.makers.models import MakerMachine, MakerProfile


@dataclass(frozen=True, slots=True)
class MachineSnapshot:
    machine_id: str
    code: str
    capabilities: tuple[str, ...]
    material: str
    colour: str
    build_volume_mm: tuple[float, float, float]
    tolerance_mm: float
    price_per_hour: int  # minor units of the maker's currency
    price_per_cm3: int
    calendar: dict[str, Any] | None  # weekly shifts (factory.schemas.Calendar); None: always
    state: str


@dataclass(frozen=True, slots=True)
class MakerSnapshot:
    maker_id: str
    enterprise_id: str
    factory_code: str
    display_name: str
    country: str
    region: str
    certificates: tuple[str, ...]
    currency: str
    status: probation.MakerStatus
    jobs_done: int
    limits: probation.JobLimits
    machines: tuple[MachineSnapshot, ...]

    @property
    def suspended(self) -> bool:
        return self.status is probation.MakerStatus.SUSPENDED

    @property
    def on_probation(self) -> bool:
        return self.status is probation.MakerStatus.PROBATION


def candidates(session: Session) -> list[MakerSnapshot]:
    """Every maker with their machines, status and limits, by public name."""
    rows = session.execute(
        select(MakerProfile, Factory)
        .join(Factory, Factory.id == MakerProfile.factory_id)
        .order_by(MakerProfile.display_name, MakerProfile.id)
    )
    makers = [(profile, factory) for profile, factory in rows]
    done = service.jobs_done(session, [factory.id for _, factory in makers])
    machines: dict[str, list[MachineSnapshot]] = {}
    for machine, extra in session.execute(
        select(Machine, MakerMachine)
        .join(MakerMachine, MakerMachine.machine_id == Machine.id)
        .order_by(Machine.code)
    ):
        machines.setdefault(extra.maker_id, []).append(_machine(machine, extra))
    return [
        _maker(profile, factory, done.get(factory.id, 0), machines) for profile, factory in makers
    ]


def _maker(
    profile: MakerProfile,
    factory: Factory,
    jobs_done: int,
    machines: dict[str, list[MachineSnapshot]],
) -> MakerSnapshot:
    status = probation.status_of(profile.suspended, jobs_done)
    return MakerSnapshot(
        maker_id=profile.id,
        enterprise_id=profile.enterprise_id,
        factory_code=factory.code,
        display_name=profile.display_name,
        country=profile.country,
        region=profile.region,
        certificates=tuple(profile.certificates),
        currency=factory.currency,
        status=status,
        jobs_done=jobs_done,
        limits=probation.limits_of(status),
        machines=tuple(machines.get(profile.id, ())),
    )


def _machine(machine: Machine, extra: MakerMachine) -> MachineSnapshot:
    return MachineSnapshot(
        machine_id=machine.id,
        code=machine.code,
        capabilities=tuple(machine.capabilities),
        material=extra.material,
        colour=extra.colour,
        build_volume_mm=(extra.build_x_mm, extra.build_y_mm, extra.build_z_mm),
        tolerance_mm=extra.tolerance_mm,
        price_per_hour=machine.hourly_rate,
        price_per_cm3=extra.price_per_cm3,
        calendar=machine.calendar,
        state=machine.state.value,
    )
