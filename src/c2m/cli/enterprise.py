"""``c2m enterprise``: the platform owner's decisions on applications and an owner's invitation
links, from a terminal (the same use cases as the pages and the API)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.bootstrap import configure
from c2m.cli.database import command_database
from c2m.cli.errors import fail, guarded
from c2m.domains.platform import enterprises
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import ApplicationStatus, Enterprise, User
from c2m.domains.platform.schemas import ApplicationOut, Decision, NewInvitation
from c2m.domains.platform.service import normalise_email
from c2m.kernel.errors import describe_validation
from c2m.web.links import invitation_page

enterprise_app = typer.Typer(help="Micro-enterprises: applications and invitations.")
By = Annotated[str, typer.Option("--by", help="E-mail of the person acting (a platform owner).")]


def register(app: typer.Typer) -> None:
    app.add_typer(enterprise_app, name="enterprise", no_args_is_help=True)


def _person(session: Session, email: str) -> Actor:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        fail(f"There is no account with the e-mail address {email}.")
    return Actor.of(user)


@enterprise_app.command("applications")
@guarded
def list_applications(
    by: By,
    every: Annotated[bool, typer.Option("--all", help="Decided ones too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Applications waiting for a decision (with --all, every one)."""
    status = None if every else ApplicationStatus.PENDING
    with command_database() as db, db.read() as session:
        found = [
            ApplicationOut.model_validate(a)
            for a in enterprises.applications(session, _person(session, by), status)
        ]
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in found], indent=1))
        return
    table = Table(title=f"{len(found)} application(s)")
    for column in ("id", "name", "short name", "status", "sent"):
        table.add_column(column)
    for a in found:
        table.add_row(a.id, a.name, a.slug, a.status, a.created_at.strftime("%Y-%m-%d %H:%M"))
    Console().print(table)


def _decide(application_id: str, by: str, approve: bool, note: str | None) -> ApplicationOut:
    try:
        decision = Decision(approve=approve, note=note)
    except ValidationError as exc:
        fail(describe_validation(list(exc.errors())))
    with command_database() as db, db.write() as session:
        actor = _person(session, by)
        return ApplicationOut.model_validate(
            enterprises.decide(session, actor, application_id, decision)
        )


@enterprise_app.command("approve")
@guarded
def approve(
    application_id: Annotated[str, typer.Argument(help="The application's id.")],
    by: By,
    note: Annotated[str | None, typer.Option(help="A word for the applicant.")] = None,
) -> None:
    """Open the micro-enterprise asked for; its applicant becomes its owner."""
    done = _decide(application_id, by, True, note)
    typer.echo(f"Approved: {done.name} is open (enterprise {done.enterprise_id}).")


@enterprise_app.command("decline")
@guarded
def decline(
    application_id: Annotated[str, typer.Argument(help="The application's id.")],
    by: By,
    note: Annotated[str | None, typer.Option(help="Why, for the applicant.")] = None,
) -> None:
    """Decline an application (the applicant may apply again)."""
    done = _decide(application_id, by, False, note)
    typer.echo(f"Declined: {done.name}.")


@enterprise_app.command("invite")
@guarded
def invite(
    slug: Annotated[str, typer.Argument(help="The micro-enterprise's short name.")],
    by: Annotated[str, typer.Option("--by", help="E-mail of one of its owners.")],
    role: Annotated[str, typer.Option(help="member or owner.")] = "member",
    days: Annotated[int, typer.Option(help="How long the link stays valid (1-30).")] = 7,
) -> None:
    """Print a single-use invitation link to SLUG (shown once)."""
    try:
        data = NewInvitation.model_validate({"role": role, "days": days})
    except ValidationError as exc:
        fail(describe_validation(list(exc.errors())))
    settings = configure()
    with command_database(settings) as db, db.write() as session:
        enterprise = session.scalar(select(Enterprise).where(Enterprise.slug == slug))
        if enterprise is None:
            fail(f"There is no micro-enterprise with the short name {slug!r}.")
        _, secret = enterprises.invite(session, _person(session, by), enterprise.id, data)
    typer.echo(settings.base_url.rstrip("/") + invitation_page(secret))
