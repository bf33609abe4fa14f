"""A small factory of one micro-enterprise, and raw bus messages to feed the ingest."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from c2m.bootstrap import Platform
from c2m.domains.factory import service
from c2m.domains.factory.contract import topic
from c2m.domains.factory.ingest import Ingest, IngestStats, Raw
from c2m.domains.factory.models import Factory, JobAttempt, Machine
from c2m.domains.factory.schemas import NewFactory, NewMachine
from c2m.domains.platform.actor import Actor
from c2m.kernel.outbox import OutboxMessage


@dataclass
class Plant:
    factory: Factory
    machines: dict[str, Machine]


def build_plant(
    platform: Platform, actor: Actor, enterprise_id: str, code: str, *machines: str
) -> Plant:
    with platform.db.write() as session:
        factory = service.create_factory(
            session, actor, enterprise_id, NewFactory(code=code, name=code.title())
        )
        made = {
            m: service.add_machine(
                session, actor, factory.id, NewMachine(code=m, capabilities=["sheet-cut"])
            )
            for m in machines
        }
    return Plant(factory, made)


def raw(factory: str, machine: str, kind: str, body: Any) -> Raw:
    """A message as the bus delivers it; ``body`` is encoded unless it is bytes already."""
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return (topic(factory, machine, kind), payload, time.time())


def feed(platform: Platform, ingest: Ingest, *messages: Raw) -> IngestStats:
    with platform.db.write() as session:
        return ingest.apply(session, messages)


def command(platform: Platform, machine: Machine, operation: str = "op1") -> str:
    with platform.db.write() as session:
        dispatch = service.issue_command(session, machine.id, operation, nominal_s=60, lease_s=600)
    return dispatch.command.attempt_id


def attempt(platform: Platform, attempt_id: str) -> JobAttempt:
    with platform.db.read() as session:
        found = session.get(JobAttempt, attempt_id)
        assert found is not None
        return found


def machine_row(platform: Platform, machine: Machine) -> Machine:
    with platform.db.read() as session:
        found = session.get(Machine, machine.id)
        assert found is not None
        return found


def outbox(platform: Platform, topic_name: str) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        query = select(OutboxMessage.payload).where(OutboxMessage.topic == topic_name)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def outbox_count(platform: Platform) -> int:
    with platform.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
