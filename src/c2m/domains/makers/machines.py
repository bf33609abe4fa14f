"""A maker's machines: registered in their workshop through the factory domain (so the machine
contract and credentials apply unchanged), with the maker-only facts beside them. A maker sees
and changes only their own machines; any other is "no such machine"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory import credentials
from c2m.domains.factory import service as factories
from c2m.domains.factory.models import Factory, Machine
from c2m.domains.factory.schemas import NewMachine
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.makers import service
from c2m.domains.makers.models import MakerMachine
from c2m.domains.makers.schemas import (
    BuildVolume,
    MakerMachineChange,
    MakerMachineOut,
    NewMakerMachine,
)
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import NotFound
from c2m.kernel.money import format_amount

MachineRow = tuple[Machine, MakerMachine]


def add(session: Session, actor: Actor, data: NewMakerMachine) -> MachineRow:
    profile = service.mine(session, actor)
    machine_data = NewMachine.model_validate(data.model_dump(include=set(NewMachine.model_fields)))
    machine = factories.add_machine(session, actor, profile.factory_id, machine_data)
    extra = MakerMachine(
        machine_id=machine.id,
        maker_id=profile.id,
        material=data.material,
        colour=data.colour,
        build_x_mm=data.build_volume.x_mm,
        build_y_mm=data.build_volume.y_mm,
        build_z_mm=data.build_volume.z_mm,
        tolerance_mm=data.tolerance_mm,
        price_per_cm3=data.price_per_cm3,
    )
    session.add(extra)
    session.flush()
    return machine, extra


def of_maker(
    session: Session, maker_id: str, state: MachineState | None = None
) -> list[MachineRow]:
    query = (
        select(Machine, MakerMachine)
        .join(MakerMachine, MakerMachine.machine_id == Machine.id)
        .where(MakerMachine.maker_id == maker_id)
        .order_by(Machine.code)
    )
    if state is not None:
        query = query.where(Machine.state == state)
    return [(machine, extra) for machine, extra in session.execute(query)]


def mine(session: Session, actor: Actor, state: MachineState | None = None) -> list[MachineRow]:
    return of_maker(session, service.mine(session, actor).id, state)


def change(session: Session, actor: Actor, machine_id: str, data: MakerMachineChange) -> MachineRow:
    machine, extra = _my_machine(session, actor, machine_id)
    for field in data.model_fields_set & {"material", "colour", "price_per_cm3"}:
        value = getattr(data, field)
        if value is not None:
            setattr(extra, field, value)
    if data.hourly_rate is not None:
        machine.hourly_rate = data.hourly_rate
    if "calendar" in data.model_fields_set:
        machine.calendar = None if data.calendar is None else data.calendar.model_dump(mode="json")
    session.flush()
    return machine, extra


def new_secret(session: Session, actor: Actor, machine_id: str) -> tuple[str, str]:
    """A fresh login for one of the maker's machines: its username and the secret, shown once."""
    machine, _ = _my_machine(session, actor, machine_id)
    return credentials.rotate_secret(session, machine)


def machine_out(session: Session, row: MachineRow) -> MakerMachineOut:
    machine, extra = row
    factory = session.get(Factory, machine.factory_id)
    assert factory is not None  # a machine goes with its factory
    currency = factory.currency
    return MakerMachineOut(
        id=machine.id,
        code=machine.code,
        name=machine.name,
        username=credentials.username_of(factory, machine),
        capabilities=machine.capabilities,
        material=extra.material,
        colour=extra.colour,
        build_volume=BuildVolume(
            x_mm=extra.build_x_mm, y_mm=extra.build_y_mm, z_mm=extra.build_z_mm
        ),
        tolerance_mm=extra.tolerance_mm,
        currency=currency,
        hourly_rate=machine.hourly_rate,
        price_per_hour=format_amount(machine.hourly_rate, currency),
        price_per_cm3=extra.price_per_cm3,
        price_per_cm3_text=format_amount(extra.price_per_cm3, currency),
        calendar=machine.calendar,
        state=machine.state.value,
        state_reason=machine.state_reason,
        created_at=machine.created_at,
    )


def _my_machine(session: Session, actor: Actor, machine_id: str) -> MachineRow:
    profile = service.mine(session, actor)
    row = session.execute(
        select(Machine, MakerMachine)
        .join(MakerMachine, MakerMachine.machine_id == Machine.id)
        .where(Machine.id == machine_id, MakerMachine.maker_id == profile.id)
    ).first()
    if row is None:
        raise NotFound("There is no such machine among yours.")
    machine, extra = row
    return machine, extra
