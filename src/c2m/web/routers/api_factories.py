"""Factories and machines of a micro-enterprise: registered by its owners, so the machines'
messages are believed (a machine's code is its topic level, see docs/machines.md)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory import credentials, service
from c2m.domains.factory.models import Machine
from c2m.domains.factory.schemas import (
    FactoryOut,
    MachineOut,
    MachineSecret,
    NewFactory,
    NewMachine,
)
from c2m.domains.planning import floor
from c2m.kernel.keyset import select_page
from c2m.web.auth import Machines, PlatformDep
from c2m.web.idempotent import Idempotent
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["factory"], responses=problem_responses(401, 404))

CHANGE = problem_responses(403, 409, 413, 422)


@router.get(
    "/enterprises/{enterprise_id}/factories", response_model=list[FactoryOut], responses=PAGED
)
def list_factories(
    platform: PlatformDep, enterprise_id: str, actor: Machines, page: Paging
) -> list[FactoryOut]:
    actor.require_member_of(enterprise_id)
    with platform.db.read() as session:
        found = [f for f in floor.factories_of(session, actor) if f.enterprise_id == enterprise_id]
        return page.pick(found, FactoryOut.model_validate)


@router.post(
    "/enterprises/{enterprise_id}/factories",
    status_code=201,
    response_model=FactoryOut,
    responses=CHANGE,
)
def create_factory(
    enterprise_id: str,
    body: NewFactory,
    actor: Machines,
    idempotent: Idempotent,
) -> JSONResponse:
    """A factory of the micro-enterprise (owners); its code is the factory level of topics."""
    actor.require_member_of(enterprise_id)
    return idempotent.create(
        actor,
        body,
        lambda s: FactoryOut.model_validate(service.create_factory(s, actor, enterprise_id, body)),
    )


@router.get("/factories/{factory_id}/machines", response_model=list[MachineOut], responses=PAGED)
def list_machines(
    platform: PlatformDep, factory_id: str, actor: Machines, page: Paging
) -> list[MachineOut]:
    with platform.db.read() as session:
        factory = floor.load_factory(session, actor, factory_id)
        query = select(Machine).where(Machine.factory_id == factory.id)
        rows = session.scalars(select_page(query, page.window, Machine.created_at, Machine.id))
        return page.answer(list(rows), MachineOut.model_validate)


@router.post(
    "/factories/{factory_id}/machines",
    status_code=201,
    response_model=MachineOut,
    responses=CHANGE,
)
def add_machine(
    factory_id: str,
    body: NewMachine,
    actor: Machines,
    idempotent: Idempotent,
) -> JSONResponse:
    """Register a machine (owners): from then on its birth, jobs and telemetry are taken."""

    def create(session: Session) -> MachineOut:
        floor.load_factory(session, actor, factory_id)
        return MachineOut.model_validate(service.add_machine(session, actor, factory_id, body))

    return idempotent.create(actor, body, create)


@router.post(
    "/machines/{machine_id}/secret",
    response_model=MachineSecret,
    responses=problem_responses(403),
)
def create_machine_secret(platform: PlatformDep, machine_id: str, actor: Machines) -> JSONResponse:
    """A new secret for the machine (owners of its factory); the old one stops working. It is
    shown in this answer only: put it in the machine's configuration."""
    with platform.db.write() as session:
        username, secret = credentials.new_secret(session, actor, machine_id)
    body = MachineSecret(username=username, secret=secret).model_dump()
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
