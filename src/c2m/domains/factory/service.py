"""Use cases of the factory: describe factories and machines, command attempts, find lost ones.

Commands are recorded (``commanded``) in the caller's transaction and sent through a ``Gateway``
after it commits, so an attempt the database does not know is never on the bus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from c2m.domains.factory.contract import COMMAND, Command, JobDocument, topic
from c2m.domains.factory.ingest import IN_FLIGHT
from c2m.domains.factory.models import AttemptStatus, Factory, JobAttempt, Machine
from c2m.domains.factory.schemas import NewFactory, NewMachine
from c2m.domains.platform.actor import Actor
from c2m.engines.simulation.model import FactorySpec
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, NotFound
from c2m.kernel.ids import new_id
from c2m.kernel.problem_types import ProblemCode


def create_factory(session: Session, actor: Actor, enterprise_id: str, data: NewFactory) -> Factory:
    actor.require_owner_of(enterprise_id)
    if session.scalar(select(Factory.id).where(Factory.code == data.code)) is not None:
        raise Conflict(
            f"A factory with the code {data.code!r} exists already; pick another.",
            code=ProblemCode.ALREADY_EXISTS,
        )
    factory = Factory(enterprise_id=enterprise_id, **data.model_dump())
    session.add(factory)
    session.flush()
    return factory


def add_machine(session: Session, actor: Actor, factory_id: str, data: NewMachine) -> Machine:
    factory = session.get(Factory, factory_id)
    if factory is None or not actor.is_member_of(factory.enterprise_id):
        raise NotFound("There is no such factory.")
    actor.require_owner_of(factory.enterprise_id)
    taken = select(Machine.id).where(Machine.factory_id == factory_id, Machine.code == data.code)
    if session.scalar(taken) is not None:
        raise Conflict(
            f"This factory has a machine {data.code!r} already.", code=ProblemCode.ALREADY_EXISTS
        )
    values = data.model_dump(exclude={"calendar"})
    calendar = None if data.calendar is None else data.calendar.model_dump(mode="json")
    machine = Machine(factory_id=factory_id, calendar=calendar, **values)
    session.add(machine)
    session.flush()
    return machine


@dataclass(frozen=True, slots=True)
class Dispatch:
    """A command ready for the bus: which machine's ``cmd`` topic, and what to say."""

    factory: str
    machine: str
    command: Command

    @property
    def topic(self) -> str:
        return topic(self.factory, self.machine, COMMAND)


def issue_command(
    session: Session,
    machine_id: str,
    operation_id: str,
    *,
    nominal_s: float,
    lease_s: float,
    family: str = "",
    capability: str | None = None,
    epoch: int | None = None,
    job: Callable[[int], JobDocument] | None = None,
) -> Dispatch:
    """Record a new attempt of ``operation_id`` on a machine, under a fresh attempt id and the
    planner lease ``epoch`` (see ``leases``); ``job`` writes its job document, given when the
    attempt's lease expires (ms since 1970)."""
    machine = session.get(Machine, machine_id)
    if machine is None:
        raise NotFound("There is no such machine.")
    now = utcnow()
    lease_expires = now + timedelta(seconds=lease_s)
    expires_ms = int(lease_expires.timestamp() * 1000)
    command = Command(
        operation_id=operation_id,
        attempt_id=new_id(),
        nominal_s=nominal_s,
        family=family,
        capability=capability,
        lease_expires=expires_ms,
        job=None if job is None else job(expires_ms),
    )
    session.add(
        JobAttempt(
            attempt_id=command.attempt_id,
            machine_id=machine.id,
            operation_id=operation_id,
            status=AttemptStatus.COMMANDED,
            percent=0,
            held=False,
            command=command.model_dump(),
            commanded_at=now,
            lease_expires_at=lease_expires,
            updated_at=now,
            epoch=epoch,
        )
    )
    session.flush()
    return _dispatch(session, machine, command)


def unanswered(
    session: Session, older_than_s: float, now: datetime | None = None
) -> list[Dispatch]:
    """Commands no machine has acknowledged yet, within their lease: safe to send again, since a
    machine runs each attempt id at most once."""
    now = now or utcnow()
    query = (
        select(JobAttempt, Machine)
        .join(Machine, Machine.id == JobAttempt.machine_id)
        .where(
            JobAttempt.status == AttemptStatus.COMMANDED,
            JobAttempt.command.is_not(None),
            JobAttempt.commanded_at <= now - timedelta(seconds=older_than_s),
            JobAttempt.lease_expires_at > now,
        )
        .order_by(JobAttempt.commanded_at)
    )
    return [
        _dispatch(session, machine, Command.model_validate(attempt.command))
        for attempt, machine in session.execute(query)
    ]


def lost_attempts(session: Session, now: datetime | None = None) -> list[JobAttempt]:
    """Attempts that will not finish: failed, known aborted, or held by a dead machine past
    their lease. Their operations may be planned again, under new attempt ids."""
    now = now or utcnow()
    query = select(JobAttempt).where(
        or_(
            JobAttempt.status.in_((AttemptStatus.FAILED, AttemptStatus.ABORTED)),
            JobAttempt.held.is_(True)
            & JobAttempt.status.in_(IN_FLIGHT)
            & (JobAttempt.lease_expires_at <= now),
        )
    )
    return list(session.scalars(query.order_by(JobAttempt.updated_at)))


def _dispatch(session: Session, machine: Machine, command: Command) -> Dispatch:
    factory = session.get(Factory, machine.factory_id)
    assert factory is not None
    return Dispatch(factory.code, machine.code, command)


def register_plant(session: Session, enterprise_id: str, spec: FactorySpec) -> Factory:
    """The factory and machines of a twin's plant file, added if missing (for seeding a demo)."""
    factory = session.scalar(select(Factory).where(Factory.code == spec.id))
    if factory is None:
        factory = Factory(enterprise_id=enterprise_id, code=spec.id, name=spec.id.title())
        session.add(factory)
        session.flush()
    known = set(session.scalars(select(Machine.code).where(Machine.factory_id == factory.id)))
    for machine in spec.machines:
        if machine.id not in known:
            session.add(
                Machine(
                    factory_id=factory.id,
                    code=machine.id,
                    name=machine.name,
                    capabilities=sorted(machine.capabilities),
                    speed=machine.speed,
                )
            )
    session.flush()
    return factory
