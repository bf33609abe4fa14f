"""The makers' pages: join (new or signed in), the maker's dashboard with their printers and the
agent command for a new one, and the platform owner's network of makers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from c2m.bootstrap import Platform
from c2m.domains.factory.vocabulary import CAPABILITIES
from c2m.domains.ledger.maker_earnings import maker_earnings
from c2m.domains.makers import machines, offer_views, offers, probation, service, workshop_jobs
from c2m.domains.makers.offer_schemas import OfferDecline
from c2m.domains.makers.regions import countries
from c2m.domains.makers.schemas import (
    MakerChange,
    MakerMachineChange,
    NewMaker,
    NewMakerMachine,
    StatusChange,
)
from c2m.domains.platform import service as accounts
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.schemas import SignUp
from c2m.domains.platform.security import MIN_PASSWORD_LENGTH
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, InvalidInput, NotFound, describe_validation
from c2m.kernel.money import to_decimal, to_minor
from c2m.web.agent_command import agent_command
from c2m.web.auth import Caller, OptionalCaller, PlatformDep
from c2m.web.routers.pages import CsrfField, check_csrf, signed_in, start_session
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=200)]
Amount = Annotated[str, Form(max_length=20)]
DASHBOARD = "/maker"


@router.get("/makers/join")
def join_form(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    if caller is not None and _is_maker(platform, caller.actor):
        return RedirectResponse(DASHBOARD, status_code=303)
    return _join_page(request, caller, {"country": "DE"})


@router.post("/makers/join")
def join(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    display_name: Text,
    country: Annotated[str, Form(max_length=2)],
    region: Text = "",
    certificates: Annotated[str, Form(max_length=1300)] = "",
    name: Annotated[str, Form(max_length=120)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A signed-in person becomes a maker; someone new gets an account in the same step."""
    check_csrf(request, caller, csrf_token)
    form = {"display_name": display_name, "country": country, "region": region}
    form |= {"certificates": certificates, "name": name, "email": email}
    try:
        data = NewMaker(
            display_name=display_name.strip(),
            country=country,
            region=region.strip(),
            certificates=_certificates(certificates),
        )
        person = None if caller else SignUp(name=name, email=email, password=password)
        with platform.db.write() as session:
            if person is None:
                assert caller is not None
                actor = caller.actor
            else:
                actor = Actor.of(accounts.create_user(session, person))
            service.join(session, actor, data)
    except ValidationError as exc:
        error = describe_validation(list(exc.errors()), "You cannot join yet")
        return _join_page(request, caller, form, error)
    except Conflict as exc:
        return _join_page(request, caller, form, exc.detail)
    if caller is None:
        return start_session(platform, actor.user_id, DASHBOARD)
    return RedirectResponse(DASHBOARD, status_code=303)


@router.get("/maker")
def dashboard(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    caller = signed_in(request, caller)
    if not _is_maker(platform, caller.actor):
        return RedirectResponse("/makers/join", status_code=303)
    return _dashboard(request, platform, caller)


@router.post("/maker/machines")
def add_printer(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    code: Annotated[str, Form(max_length=64)],
    capability: Annotated[str, Form(max_length=40)],
    material: Text,
    colour: Text,
    build_x_mm: Amount,
    build_y_mm: Amount,
    build_z_mm: Amount,
    tolerance_mm: Amount,
    price_per_hour: Amount = "0",
    price_per_cm3: Amount = "0",
    name: Text = "",
) -> Response:
    """Register a printer and show its new login once, with the command to run beside it."""
    caller = signed_in(request, caller, csrf_token)
    actor = caller.actor
    form = {"code": code, "name": name, "capability": capability, "material": material}
    form |= {"colour": colour, "build_x_mm": build_x_mm, "build_y_mm": build_y_mm}
    form |= {"build_z_mm": build_z_mm, "tolerance_mm": tolerance_mm}
    form |= {"price_per_hour": price_per_hour, "price_per_cm3": price_per_cm3}
    try:
        with platform.db.write() as session:
            currency = service.workshop_of(session, service.mine(session, actor)).currency
            data = NewMakerMachine(
                code=code.strip(),
                name=name.strip(),
                capabilities=[capability],
                material=material.strip(),
                colour=colour.strip(),
                build_volume={"x_mm": build_x_mm, "y_mm": build_y_mm, "z_mm": build_z_mm},
                tolerance_mm=tolerance_mm,
                hourly_rate=_minor(price_per_hour, currency, "The price per hour"),
                price_per_cm3=_minor(price_per_cm3, currency, "The price per cm³"),
            )
            machine, _ = machines.add(session, actor, data)
            login = machines.new_secret(session, actor, machine.id)
    except ValidationError as exc:
        error = describe_validation(list(exc.errors()), "The printer cannot be added")
        return _dashboard(request, platform, caller, form=form, error=error)
    except (Conflict, InvalidInput) as exc:
        return _dashboard(request, platform, caller, form=form, error=exc.detail)
    return _dashboard(request, platform, caller, login=login)


@router.post("/maker/profile")
def change_profile(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    display_name: Text,
    country: Annotated[str, Form(max_length=2)],
    region: Text = "",
    certificates: Annotated[str, Form(max_length=1300)] = "",
) -> Response:
    caller = signed_in(request, caller, csrf_token)
    try:
        data = MakerChange(
            display_name=display_name.strip(),
            country=country,
            region=region.strip(),
            certificates=_certificates(certificates),
        )
    except ValidationError as exc:
        error = describe_validation(list(exc.errors()), "Your profile cannot be changed")
        return _dashboard(request, platform, caller, change_error=error)
    with platform.db.write() as session:
        service.change(session, caller.actor, data)
    return RedirectResponse(DASHBOARD, status_code=303)


@router.post("/maker/machines/{machine_id}")
def change_printer(
    request: Request,
    platform: PlatformDep,
    machine_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    material: Text,
    colour: Text,
    price_per_hour: Amount = "0",
    price_per_cm3: Amount = "0",
) -> Response:
    """A new spool loaded, or new prices."""
    caller = signed_in(request, caller, csrf_token)
    try:
        with platform.db.write() as session:
            currency = service.workshop_of(session, service.mine(session, caller.actor)).currency
            data = MakerMachineChange(
                material=material.strip(),
                colour=colour.strip(),
                hourly_rate=_minor(price_per_hour, currency, "The price per hour"),
                price_per_cm3=_minor(price_per_cm3, currency, "The price per cm³"),
            )
            machines.change(session, caller.actor, machine_id, data)
    except ValidationError as exc:
        error = describe_validation(list(exc.errors()), "The printer cannot be changed")
        return _dashboard(request, platform, caller, change_error=error)
    except InvalidInput as exc:
        return _dashboard(request, platform, caller, change_error=exc.detail)
    return RedirectResponse(DASHBOARD + "#printers", status_code=303)


@router.post("/maker/machines/{machine_id}/secret")
def new_secret(
    request: Request,
    platform: PlatformDep,
    machine_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    """A lost secret is replaced (the old one stops working) and shown once."""
    caller = signed_in(request, caller, csrf_token)
    with platform.db.write() as session:
        login = machines.new_secret(session, caller.actor, machine_id)
    return _dashboard(request, platform, caller, login=login)


@router.post("/maker/offers/{offer_id}/accept")
def accept_offer(
    request: Request,
    platform: PlatformDep,
    offer_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    caller = signed_in(request, caller, csrf_token)
    try:
        with platform.db.write() as session:
            offers.accept_offer(session, caller.actor, offer_id, utcnow())
    except Conflict as exc:
        return _dashboard(request, platform, caller, offer_error=exc.detail)
    return RedirectResponse(DASHBOARD + "#offers", status_code=303)


@router.post("/maker/offers/{offer_id}/decline")
def decline_offer(
    request: Request,
    platform: PlatformDep,
    offer_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """A decline says why (the platform owner reads it); the job goes to the next maker."""
    caller = signed_in(request, caller, csrf_token)
    try:
        data = OfferDecline(reason=reason.strip())
        with platform.db.write() as session:
            offers.decline_offer(session, caller.actor, offer_id, data.reason, utcnow())
    except ValidationError:
        error = "Say why you decline, in a few words: it helps route the next job better."
        return _dashboard(request, platform, caller, offer_error=error)
    except Conflict as exc:
        return _dashboard(request, platform, caller, offer_error=exc.detail)
    return RedirectResponse(DASHBOARD + "#offers", status_code=303)


@router.get("/network")
def network(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    caller = signed_in(request, caller)
    with platform.db.read() as session:
        every = service.all_makers(session, caller.actor)
        done = service.jobs_done(session, [p.factory_id for p in every])
        makers = [service.maker_out(session, p, done.get(p.factory_id, 0)) for p in every]
        routed = offer_views.recent_jobs(session, caller.actor)
    return render(request, caller, "network.html", {"makers": makers, "routed": routed})


@router.post("/network/makers/{maker_id}/{move}")
def suspend_or_reinstate(
    request: Request,
    platform: PlatformDep,
    maker_id: str,
    move: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    moves = {"suspend": service.suspend, "reinstate": service.reinstate}
    if move not in moves:
        raise NotFound("There is no such page.")
    try:
        data = StatusChange(reason=reason.strip())
    except ValidationError:
        raise InvalidInput("Say why, in a few words: the maker reads it.") from None
    with platform.db.write() as session:
        moves[move](session, actor, maker_id, data)
    return RedirectResponse("/network", status_code=303)


def _is_maker(platform: Platform, actor: Actor) -> bool:
    with platform.db.read() as session:
        try:
            service.mine(session, actor)
        except NotFound:
            return False
    return True


def _certificates(typed: str) -> list[str]:
    return [name.strip() for name in typed.split(",") if name.strip()]


def _minor(amount: str, currency: str, what: str) -> int:
    """A price typed in major units (``1.50``) as minor units."""
    try:
        return to_minor(Decimal(amount.strip() or "0"), currency)
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{what} is not an amount in {currency}: write it like 1.50.") from None


def _join_page(
    request: Request, caller: Caller | None, form: dict[str, str], error: str | None = None
) -> Response:
    context = {
        "form": form,
        "error": error,
        "countries": countries(),
        "min_password": MIN_PASSWORD_LENGTH,
        "probation": probation,
    }
    return render(request, caller, "makers_join.html", context, status_code=422 if error else 200)


def _dashboard(
    request: Request,
    platform: Platform,
    caller: Caller,
    *,
    login: tuple[str, str] | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    change_error: str | None = None,
    offer_error: str | None = None,
) -> Response:
    with platform.db.read() as session:
        profile = service.mine(session, caller.actor)
        maker = service.maker_out(session, profile)
        printers = [
            machines.machine_out(session, row) for row in machines.of_maker(session, profile.id)
        ]
        my_offers = offer_views.my_offers(session, caller.actor)
        jobs = workshop_jobs.my_jobs(session, caller.actor)
        earned = maker_earnings(session, profile.id)
    context: dict[str, Any] = {
        "maker": maker,
        "printers": printers,
        "capabilities": sorted(CAPABILITIES),
        "form": form or {"capability": "fdm-print", "tolerance_mm": "0.2"},
        "error": error,
        "change_error": change_error,
        "offers": my_offers,
        "jobs": jobs,
        "earned": earned,
        "offer_error": offer_error,
        "countries": countries(),
        "probation": probation,
        "major": to_decimal,
    }
    if login is not None:
        username, secret = login
        context["login"] = {
            "username": username,
            "secret": secret,
            "command": agent_command(platform.settings, username).lines(secret),
        }
    failed = error or change_error or offer_error
    response = render(request, caller, "maker.html", context, status_code=422 if failed else 200)
    if login is not None:
        response.headers["Cache-Control"] = "no-store"
    return response
