"""Makers: become one, keep the profile, register printers and their logins; the platform owner
suspends and reinstates. A maker reaches only their own machines (any other is a 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from c2m.domains.factory.schemas import MachineSecret
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.makers import machines, service
from c2m.domains.makers.schemas import (
    MakerChange,
    MakerMachineChange,
    MakerMachineOut,
    MakerOut,
    NewMaker,
    NewMakerMachine,
    StatusChange,
)
from c2m.web.auth import Makers, PlatformDep
from c2m.web.idempotent import Idempotent
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["makers"], responses=problem_responses(401, 404))

CHANGE = problem_responses(403, 409, 413, 422)
MachineStateFilter = Annotated[
    MachineState | None, Query(description="Only machines in this state")
]


@router.post("/makers", status_code=201, response_model=MakerOut, responses=CHANGE)
def create_maker_profile(
    platform: PlatformDep, body: NewMaker, actor: Makers, idempotent: Idempotent
) -> JSONResponse:
    """Become a maker: your own micro-enterprise and workshop open, on probation at first."""

    def create(session: Session) -> MakerOut:
        return service.maker_out(session, service.join(session, actor, body))

    answer = idempotent.create(actor, body, create)
    platform.tokens.forget_holder(actor.user_id)  # after the commit: they own a workshop now
    return answer


@router.get("/makers", response_model=list[MakerOut], responses={**problem_responses(403), **PAGED})
def list_makers(platform: PlatformDep, actor: Makers, page: Paging) -> list[MakerOut]:
    """Every maker with their status (the platform owner)."""
    with platform.db.read() as session:
        found = service.all_makers(session, actor)
        done = service.jobs_done(session, [p.factory_id for p in found])
        return page.pick(found, lambda p: service.maker_out(session, p, done.get(p.factory_id, 0)))


@router.get("/makers/me", response_model=MakerOut)
def get_my_maker_profile(platform: PlatformDep, actor: Makers) -> MakerOut:
    with platform.db.read() as session:
        return service.maker_out(session, service.mine(session, actor))


@router.patch("/makers/me", response_model=MakerOut, responses=CHANGE)
def update_my_maker_profile(platform: PlatformDep, body: MakerChange, actor: Makers) -> MakerOut:
    with platform.db.write() as session:
        return service.maker_out(session, service.change(session, actor, body))


@router.get("/makers/me/machines", response_model=list[MakerMachineOut], responses=PAGED)
def list_my_maker_machines(
    platform: PlatformDep, actor: Makers, page: Paging, state: MachineStateFilter = None
) -> list[MakerMachineOut]:
    """Your machines, oldest registration first."""
    with platform.db.read() as session:
        found = [machines.machine_out(session, row) for row in machines.mine(session, actor, state)]
        return page.pick(found, lambda out: out)


@router.post(
    "/makers/me/machines", status_code=201, response_model=MakerMachineOut, responses=CHANGE
)
def add_maker_machine(body: NewMakerMachine, actor: Makers, idempotent: Idempotent) -> JSONResponse:
    """Register a printer (or any machine) in your workshop; then ask for its secret."""

    def create(session: Session) -> MakerMachineOut:
        return machines.machine_out(session, machines.add(session, actor, body))

    return idempotent.create(actor, body, create)


@router.patch("/makers/me/machines/{machine_id}", response_model=MakerMachineOut, responses=CHANGE)
def update_maker_machine(
    platform: PlatformDep, machine_id: str, body: MakerMachineChange, actor: Makers
) -> MakerMachineOut:
    """The spool loaded, prices, opening hours."""
    with platform.db.write() as session:
        return machines.machine_out(session, machines.change(session, actor, machine_id, body))


@router.post("/makers/me/machines/{machine_id}/secret", response_model=MachineSecret)
def create_maker_machine_secret(
    platform: PlatformDep, machine_id: str, actor: Makers
) -> JSONResponse:
    """A new secret for one of your machines; the old one stops working. Shown in this answer
    only: give it to ``c2m agent`` (docs/makers.md)."""
    with platform.db.write() as session:
        username, secret = machines.new_secret(session, actor, machine_id)
    body = MachineSecret(username=username, secret=secret).model_dump()
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post(
    "/makers/{maker_id}/suspend", response_model=MakerOut, responses=problem_responses(403, 409)
)
def suspend_maker(
    platform: PlatformDep, maker_id: str, body: StatusChange, actor: Makers
) -> MakerOut:
    """Stop giving the maker jobs, with the reason they will read (the platform owner)."""
    with platform.db.write() as session:
        return service.maker_out(session, service.suspend(session, actor, maker_id, body))


@router.post(
    "/makers/{maker_id}/reinstate", response_model=MakerOut, responses=problem_responses(403, 409)
)
def reinstate_maker(
    platform: PlatformDep, maker_id: str, body: StatusChange, actor: Makers
) -> MakerOut:
    """Give a suspended maker jobs again (the platform owner)."""
    with platform.db.write() as session:
        return service.maker_out(session, service.reinstate(session, actor, maker_id, body))
